/**
 * GET /metrics on the real app over the private libvirtd's test driver: the text parses strictly as
 * Prometheus' format, every family the README promises is there, and the counters move with the
 * requests made (by route pattern and status, by action and outcome, libvirt calls by procedure).
 * Also the request log line: request id, action, domain, outcome and duration.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { AgentMetrics } from '../../src/ops/metrics.ts';
import { buildTestApp, type TestApp } from '../support/app.ts';
import { parsePrometheusText, sampleValue, type Family } from '../support/prom-text.ts';
import { call } from '../support/http.ts';

const lines: Record<string, unknown>[] = [];
const sink = new Writable({
  write(chunk: Buffer, _enc, done) {
    for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  },
});

async function scrape(t: TestApp): Promise<Map<string, Family>> {
  const res = await t.app.request('/metrics');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(await res.text());
}

describe('GET /metrics', () => {
  let t: TestApp;
  before(async () => { t = await buildTestApp({ withOps: {}, log: pino({ level: 'info' }, sink) }); });
  after(async () => { await t.close(); });

  test('parses as Prometheus text and has every promised family with its type', async () => {
    const families = await scrape(t);
    const expected: Record<string, Family['type']> = {
      govirthost_build_info: 'gauge',
      govirthost_http_requests_total: 'counter',
      govirthost_http_request_duration_seconds: 'histogram',
      govirthost_actions_total: 'counter',
      govirthost_action_duration_seconds: 'histogram',
      govirthost_actions_in_flight: 'gauge',
      govirthost_libvirt_up: 'gauge',
      govirthost_libvirt_connection_state: 'gauge',
      govirthost_libvirt_call_duration_seconds: 'histogram',
      govirthost_libvirt_state_changes_total: 'counter',
      govirthost_domains: 'gauge',
      govirthost_host_load: 'gauge',
      govirthost_host_memory_bytes: 'gauge',
      govirthost_host_swap_bytes: 'gauge',
      govirthost_host_uptime_seconds: 'gauge',
      process_cpu_seconds_total: 'counter',
      process_resident_memory_bytes: 'gauge',
      nodejs_eventloop_lag_seconds: 'gauge',
    };
    for (const [name, type] of Object.entries(expected)) {
      assert.equal(families.get(name)?.type, type, `${name} should be a ${type}`);
      assert.ok(families.get(name)?.help, `${name} has HELP`);
    }
    assert.equal(sampleValue(families, 'govirthost_build_info', { version: 'test' }), 1);
    assert.equal(sampleValue(families, 'govirthost_libvirt_up'), 1);
    assert.equal(sampleValue(families, 'govirthost_libvirt_connection_state', { state: 'connected' }), 1);
    assert.equal(sampleValue(families, 'govirthost_libvirt_connection_state', { state: 'reconnecting' }), 0);
  });

  test('the strict parser rejects what is not Prometheus text', () => {
    assert.throws(() => parsePrometheusText('x 1\n'), /no TYPE/);
    assert.throws(() => parsePrometheusText('# TYPE x counter\nx{a="1} 1\n'), /bad labels/);
    assert.throws(() => parsePrometheusText('# TYPE x gauge\nx one\n'), /bad value/);
    assert.throws(() => parsePrometheusText('# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_count 1\nh_sum 0\n'), /not increasing/);
    assert.throws(() => parsePrometheusText('# TYPE x gauge\nx 1'), /newline/);
  });

  test('request, action and libvirt call counters move with the requests made', async () => {
    const before = await scrape(t);
    const route = { route: '/v1/domains', method: 'GET', status: '200' };
    for (let i = 0; i < 3; i++) assert.equal((await call(t, 'GET', '/v1/domains')).status, 200);
    assert.equal((await call(t, 'GET', '/v1/domains/no-such-domain')).status, 404);
    assert.equal((await call(t, 'GET', '/no/such/route/12345')).status, 404);
    const after = await scrape(t);
    const delta = (name: string, labels: Record<string, string>) => sampleValue(after, name, labels) - sampleValue(before, name, labels);
    assert.equal(delta('govirthost_http_requests_total', route), 3);
    assert.equal(delta('govirthost_http_request_duration_seconds_count', { route: '/v1/domains', method: 'GET' }), 3);
    assert.equal(delta('govirthost_http_requests_total', { route: '/v1/domains/:name', status: '404' }), 1);
    assert.equal(delta('govirthost_http_requests_total', { route: 'unmatched', status: '404' }), 1);
    assert.ok(!after.get('govirthost_http_requests_total')!.samples.some((s) => s.labels.route?.includes('12345')), 'raw paths never become labels');
    assert.equal(delta('govirthost_actions_total', { action: 'list-domains', outcome: 'succeeded' }), 3);
    assert.equal(delta('govirthost_actions_total', { action: 'get-domain', outcome: 'failed' }), 1);
    assert.equal(delta('govirthost_action_duration_seconds_count', { action: 'list-domains' }), 3);
    assert.ok(delta('govirthost_libvirt_call_duration_seconds_count', { procedure: 'CONNECT_GET_ALL_DOMAIN_STATS', outcome: 'ok' }) >= 3);
    assert.equal(delta('govirthost_libvirt_call_duration_seconds_count', { procedure: 'DOMAIN_LOOKUP_BY_NAME', outcome: 'error' }), 1);
  });

  test('a mutation counts with its outcome; a refused one counts as rejected', async () => {
    const before = await scrape(t);
    assert.equal((await call(t, 'POST', '/v1/domains/test/actions/suspend')).status, 200);
    assert.equal((await call(t, 'POST', '/v1/domains/test/actions/resume')).status, 200);
    assert.equal((await call(t, 'POST', '/v1/domains/test/actions/resume', { wait: 1 })).status, 400);
    const after = await scrape(t);
    const delta = (labels: Record<string, string>) => sampleValue(after, 'govirthost_actions_total', labels) - sampleValue(before, 'govirthost_actions_total', labels);
    assert.equal(delta({ action: 'suspend', outcome: 'succeeded' }), 1);
    assert.equal(delta({ action: 'resume', outcome: 'succeeded' }), 1);
    assert.equal(delta({ action: 'resume', outcome: 'rejected' }), 1);
    assert.equal(sampleValue(after, 'govirthost_actions_in_flight'), 0);
  });

  test('domains by state match a listing; host gauges match /proc', async () => {
    const families = await scrape(t);
    const listed = await t.deps.libvirt.listDomainStates();
    const running = listed.filter((d) => d.stateText === 'running').length;
    assert.ok(listed.length >= 1, 'the test driver has its default domain');
    assert.equal(sampleValue(families, 'govirthost_domains', { state: 'running' }), running);
    assert.equal(sampleValue(families, 'govirthost_domains'), listed.length);
    assert.equal(sampleValue(families, 'govirthost_domains', { state: 'crashed' }), listed.filter((d) => d.stateText === 'crashed').length);
    const memTotalKb = Number(/MemTotal:\s+(\d+)/.exec(fs.readFileSync('/proc/meminfo', 'utf8'))?.[1]);
    assert.equal(sampleValue(families, 'govirthost_host_memory_bytes', { kind: 'total' }), memTotalKb * 1024);
    assert.ok(sampleValue(families, 'govirthost_host_load', { period: '1m' }) >= 0);
    assert.equal(families.get('govirthost_host_load')!.samples.length, 3);
    assert.ok(sampleValue(families, 'govirthost_host_uptime_seconds') > 0);
  });

  test('one JSON log line per request with request id, action, domain, outcome and duration', async () => {
    const ok = await call(t, 'GET', '/v1/domains/test', undefined, { 'x-request-id': 'log-test-ok' });
    const missing = await call(t, 'GET', '/v1/domains/nope', undefined, { 'x-request-id': 'log-test-404' });
    assert.deepEqual([ok.status, missing.status], [200, 404]);
    const of = (id: string) => lines.filter((l) => l.requestId === id);
    assert.equal(of('log-test-ok').length, 1);
    assert.equal(of('log-test-404').length, 1);
    assert.deepEqual(pick(of('log-test-ok')[0]!), { msg: 'request', status: 200, action: 'get-domain', domain: 'test', outcome: 'succeeded', path: '/v1/domains/test' });
    assert.deepEqual(pick(of('log-test-404')[0]!), { msg: 'request', status: 404, action: 'get-domain', domain: 'nope', outcome: 'failed', path: '/v1/domains/nope' });
    assert.equal(of('log-test-404')[0]!.errorCode, 'NOT_FOUND');
    assert.equal(typeof of('log-test-ok')[0]!.durationMs, 'number');
  });
});

function pick(line: Record<string, unknown>): Record<string, unknown> {
  const { msg, status, action, domain, outcome, path } = line;
  return { msg, status, action, domain, outcome, path };
}

describe('inventory snapshot metrics', () => {
  test('runs counted by outcome, durations observed, the newest success as a timestamp', async () => {
    let last: number | null = null;
    const metrics = new AgentMetrics({
      version: 'test', libvirtState: () => 'connected', actionsInFlight: () => 0,
      domainStates: async () => [], sysinfo: () => Promise.reject(new Error('unused')), lastSnapshotAt: () => last,
    }, []);
    metrics.observeSnapshot({ ok: true, durationMs: 40 });
    metrics.observeSnapshot({ ok: false });
    last = 1_700_000_000_000;
    const families = parsePrometheusText(await metrics.scrape());
    assert.equal(sampleValue(families, 'govirthost_snapshots_total', { outcome: 'ok' }), 1);
    assert.equal(sampleValue(families, 'govirthost_snapshots_total', { outcome: 'failed' }), 1);
    assert.equal(sampleValue(families, 'govirthost_snapshot_duration_seconds_count'), 1);
    assert.equal(sampleValue(families, 'govirthost_snapshot_duration_seconds_sum'), 0.04);
    assert.equal(sampleValue(families, 'govirthost_snapshot_last_success_timestamp_seconds'), 1_700_000_000);
  });
});
