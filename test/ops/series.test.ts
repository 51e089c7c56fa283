/** The per-request series: Prometheus text that a strict parser accepts, with the right counts. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { SeriesCounter, SeriesHistogram } from '../../src/ops/series.ts';
import { parsePrometheusText, sampleValue } from '../support/prom-text.ts';

test('a counter counts per label values, and label values are escaped', async () => {
  const registry = new Registry();
  const counter = new SeriesCounter(registry, 'demo_total', 'demo', ['route', 'status']);
  counter.inc(['/a', '200']);
  counter.inc(['/a', '200']);
  counter.inc(['/a "quoted"\n', '500']);
  const families = parsePrometheusText(await registry.metrics());
  assert.equal(families.get('demo_total')?.type, 'counter');
  assert.equal(sampleValue(families, 'demo_total', { route: '/a', status: '200' }), 2);
  assert.equal(sampleValue(families, 'demo_total', { route: '/a "quoted"\n', status: '500' }), 1);
});

test('a histogram puts a value equal to a bound in that bucket, and its buckets are cumulative', async () => {
  const registry = new Registry();
  const histogram = new SeriesHistogram(registry, 'demo_seconds', 'demo', ['action'], [0.1, 1]);
  for (const v of [0.05, 0.1, 0.5, 1, 7]) histogram.observe(['x'], v);
  histogram.observe(['y'], 0.2);
  const families = parsePrometheusText(await registry.metrics());
  assert.equal(families.get('demo_seconds')?.type, 'histogram');
  const bucket = (action: string, le: string) => sampleValue(families, 'demo_seconds_bucket', { action, le });
  assert.deepEqual([bucket('x', '0.1'), bucket('x', '1'), bucket('x', '+Inf')], [2, 4, 5]);
  assert.equal(sampleValue(families, 'demo_seconds_count', { action: 'x' }), 5);
  assert.ok(Math.abs(sampleValue(families, 'demo_seconds_sum', { action: 'x' }) - 8.65) < 1e-9);
  assert.deepEqual([bucket('y', '0.1'), bucket('y', '1'), bucket('y', '+Inf')], [0, 1, 1]);
});

test('resetting the registry empties the series', async () => {
  const registry = new Registry();
  const counter = new SeriesCounter(registry, 'demo_total', 'demo', ['a']);
  counter.inc(['1']);
  registry.resetMetrics();
  assert.equal(parsePrometheusText(await registry.metrics()).get('demo_total')?.samples.length ?? 0, 0);
});
