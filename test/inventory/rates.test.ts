/** A guest's rates from snapshot samples: CPU in percent of one vCPU, disk and net per second, steps, gaps, restarts. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { guestRates } from '../../src/inventory/rates.ts';
import type { GuestSamplePoint } from '../../src/store/counter-samples.ts';

const point = (at: number, cpuS: number | null, writeBytes: bigint | null, continued = true): GuestSamplePoint => ({
  at, cpuTimeNs: cpuS === null ? null : BigInt(cpuS * 1e9),
  sample: writeBytes === null ? null : { continued, actualKiB: 2048n, usedKiB: 1024n, disks: [{ device: 1, a: 0n, b: writeBytes, c: 0n, d: 10n }], nics: [{ device: 2, a: 300n, b: 600n, c: 0n, d: 0n }] },
});

test('rates per step: one busy vCPU is 100 %, bytes per second, memory as seen', () => {
  const points = [point(0, 100, 0n, false), point(30_000, 130, 30n * 1_048_576n), point(60_000, 145, 0n)];
  const [first, second] = guestRates(points, 0, 60_000, 30_000).map((p) => p);
  assert.deepEqual(first!.cpuPercent, null, 'nothing ends in the first step before its first interval');
  assert.equal(second!.cpuPercent, 100);
  assert.equal(second!.diskWriteBps, 1_048_576);
  assert.equal(second!.diskIops, 10 / 30);
  assert.equal(second!.netTxBps, 20);
  assert.equal(second!.memoryUsedBytes, 1024 * 1024);
  const last = guestRates(points, 0, 90_000, 30_000)[2]!;
  assert.equal(last.cpuPercent, 50);
});

test('a step without samples is a gap; a stopped guest makes no rate; a restart makes no CPU spike', () => {
  const points = [point(0, 10, 0n, false), point(10_000, 20, 0n), point(20_000, null, null), point(30_000, 1, 0n, false), point(40_000, 6, 0n)];
  const rates = guestRates(points, 0, 100_000, 10_000);
  assert.deepEqual(rates.map((r) => r.cpuPercent), [null, 100, null, null, 50, null, null, null, null, null]);
  assert.deepEqual(rates.map((r) => r.diskWriteBps).slice(0, 5), [null, 0, null, null, 0]);
});
