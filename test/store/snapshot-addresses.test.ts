/**
 * Guests' addresses in the snapshot runs (migrations/0009_snapshot_addresses.sql): they come back
 * with the snapshot; the same addresses read again (a later time) open no new run; a new address does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SqliteSnapshotStore } from '../../src/store/snapshots.ts';
import type { GuestAddresses } from '../../src/model/addresses.ts';
import { dom, snapshot } from '../support/inventory.ts';
import { migratedMemoryDb } from '../support/store.ts';

const at = (readAt: number, address: string): GuestAddresses => ({
  readAt,
  nics: [{ mac: '52:54:00:00:00:01', network: null, guestName: 'eth0', addresses: [{ family: 'ipv4', address, prefix: 24, sources: ['lease', 'agent'] }] }],
  sources: { lease: { ok: true }, agent: { ok: true }, arp: { ok: false, error: 'not supported' } },
});

test('addresses are kept in the runs: back whole, a new run only when they change', () => {
  const db = migratedMemoryDb();
  const store = new SqliteSnapshotStore(db);
  const runs = () => db.prepare('SELECT count(*) FROM snapshot_domains').pluck().get() as number;
  const first = store.record(snapshot(1000, [dom('a', 1, 1, 1, { addresses: at(1000, '10.0.0.5') })]));
  store.record(snapshot(2000, [dom('a', 1, 1, 1, { addresses: at(2000, '10.0.0.5') })]));
  assert.equal(runs(), 1, 'read again at a later time: the same run');
  assert.deepEqual(store.get(first, true)!.domains![0]!.addresses, at(1000, '10.0.0.5'));
  store.record(snapshot(3000, [dom('a', 1, 1, 1, { addresses: at(3000, '10.0.0.9') })]));
  assert.equal(runs(), 2);
  assert.equal(store.newest()!.domains[0]!.addresses!.nics[0]!.addresses[0]!.address, '10.0.0.9');
  store.record(snapshot(4000, [dom('a', 1, 5, 0)]));
  assert.equal(store.newest()!.domains[0]!.addresses, undefined, 'a stopped guest has none');
});
