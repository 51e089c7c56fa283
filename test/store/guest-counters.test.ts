/**
 * Guests' counters in the snapshots: the codec round trip and its refusals, increases taken from the
 * previous snapshot (none after a restart or for a new guest), device names kept once, and a
 * domain's samples read back over a window.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CountersDecodeError, decodeGuestCounters, encodeGuestCounters, type GuestSample } from '../../src/store/counters-codec.ts';
import { sampleOf } from '../../src/store/counter-samples.ts';
import { SqliteSnapshotStore } from '../../src/store/snapshots.ts';
import type { GuestCounters } from '../../src/model/guest-counters.ts';
import { dom, snapshot } from '../support/inventory.ts';
import { migratedMemoryDb } from '../support/store.ts';

const counters = (cpuS: number, written: bigint, sent: bigint): GuestCounters => ({
  cpuTimeNs: BigInt(cpuS) * 1_000_000_000n,
  memory: { actualKiB: 1_048_576n, unusedKiB: 524_288n, availableKiB: null, usableKiB: null, rssKiB: null },
  disks: [{ name: 'vda', readBytes: 100n, writeBytes: written, readRequests: 1n, writeRequests: written / 512n }],
  nics: [{ name: 'vnet0', rxBytes: 10n, txBytes: sent, rxPackets: 1n, txPackets: 2n }],
});

describe('the guest counters codec', () => {
  test('round trip, with unknown memory and several devices; garbage refused', () => {
    const samples = new Map<number, GuestSample>([
      [3, { continued: true, actualKiB: 1_048_576n, usedKiB: 0n, disks: [{ device: 1, a: 0n, b: 4096n, c: 0n, d: 8n }], nics: [{ device: 2, a: 1n, b: 2n, c: 3n, d: 4n }] }],
      [900, { continued: false, actualKiB: null, usedKiB: null, disks: [], nics: [] }],
    ]);
    const buf = encodeGuestCounters(samples);
    assert.deepEqual(decodeGuestCounters(buf), samples);
    assert.ok(buf.length < 30, `${buf.length} bytes`);
    assert.throws(() => decodeGuestCounters(buf.subarray(0, buf.length - 1)), CountersDecodeError);
    assert.throws(() => decodeGuestCounters(Buffer.from([1, 7])), CountersDecodeError);
    assert.throws(() => decodeGuestCounters(Buffer.from([1, 0, 0, 0, 0xff, 0xff, 0x7f])), CountersDecodeError);
  });

  test('increases from the previous snapshot; none for a new guest or after a restart', () => {
    const ids = new Map([['vda', 1], ['vnet0', 2]]);
    const id = (n: string) => ids.get(n)!;
    assert.equal(sampleOf(counters(10, 512n, 100n), undefined, id).continued, false);
    const s = sampleOf(counters(20, 4608n, 1100n), counters(10, 512n, 100n), id);
    assert.deepEqual([s.continued, s.usedKiB, s.disks, s.nics], [true, 524_288n, [{ device: 1, a: 0n, b: 4096n, c: 0n, d: 8n }], [{ device: 2, a: 0n, b: 1000n, c: 0n, d: 0n }]]);
    assert.equal(sampleOf(counters(1, 0n, 0n), counters(10, 512n, 100n), id).continued, false, 'a restart');
  });
});

test('the store keeps each snapshot\'s increases, device names once, and reads a domain\'s samples', () => {
  const db = migratedMemoryDb();
  const store = new SqliteSnapshotStore(db);
  const running = (cpuS: number, written: bigint, sent: bigint) => dom('web', 1, 1, 1, { cpuTimeNs: BigInt(cpuS) * 1_000_000_000n, counters: counters(cpuS, written, sent) });
  store.record(snapshot(1_000, [running(10, 512n, 100n)]));
  store.record(snapshot(31_000, [running(40, 512n + 30n * 4096n, 100n + 30n * 1000n)]));
  store.record(snapshot(61_000, [dom('web', 1, 5, 0)]));
  assert.equal(db.prepare('SELECT count(*) FROM counter_devices').pluck().get(), 2);
  const samples = store.guestSamples('web', 0, 100_000)!;
  assert.deepEqual(samples.map((p) => [p.at, p.cpuTimeNs, p.sample?.continued ?? null]), [[1_000, 10_000_000_000n, false], [31_000, 40_000_000_000n, true], [61_000, null, null]]);
  assert.equal(samples[1]!.sample!.disks[0]!.b, 30n * 4096n);
  assert.equal(store.guestSamples('nobody', 0, 100_000), null);
});
