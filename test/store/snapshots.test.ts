/**
 * The snapshot store on SQLite: round trips with host figures, domains and CPU times; rows written
 * only for what changed; failed runs; paging; pruning exactly what is older; a reopened store goes
 * on with the open runs.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type Database } from '../../src/store/db.ts';
import { upgradeSchema } from '../../src/store/schema.ts';
import { SqliteSnapshotStore } from '../../src/store/snapshots.ts';
import { dom, HOST, snapshot } from '../support/inventory.ts';
import { migratedMemoryDb } from '../support/store.ts';

const RUNNING = 1;
const SHUTOFF = 5;
const count = (db: Database, table: string) => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
const openRuns = (db: Database) => db.prepare('SELECT count(*) FROM snapshot_domains WHERE last_snapshot_id IS NULL').pluck().get() as number;

/** `a` running with CPU time t, `b` shut off. */
const pair = (t: bigint) => [dom('a', 1, RUNNING, 1, { cpuTimeNs: t }), dom('b', 2, SHUTOFF)];

describe('SqliteSnapshotStore', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  test('a snapshot comes back whole: host figures, domains with every figure, CPU times', () => {
    const store = new SqliteSnapshotStore(migratedMemoryDb());
    const domains = [dom('a', 1, RUNNING, 1, { cpuTimeNs: 123_456_789_012n, autostart: true }), dom('b', 2, SHUTOFF, 2, { persistent: false })];
    const id = store.record(snapshot(1_700_000_000_000, domains));
    const back = store.get(id, true)!;
    assert.deepEqual([back.ok, back.error, back.takenAt, back.durationMs, back.domainCount], [true, null, 1_700_000_000_000, 3, 2]);
    assert.deepEqual(back.host, HOST);
    assert.deepEqual(back.domains, domains);
    assert.deepEqual(store.newest(), snapshot(1_700_000_000_000, domains));
  });

  test('unchanged figures write no domain rows; a change closes one run and opens another', () => {
    const db = migratedMemoryDb();
    const store = new SqliteSnapshotStore(db);
    for (let i = 0; i < 10; i++) store.record(snapshot(1000 + i, pair(BigInt(i) * 1000n)));
    assert.deepEqual([count(db, 'snapshots'), count(db, 'snapshot_domains'), openRuns(db)], [10, 2, 2], 'one run per domain for 10 snapshots');
    store.record(snapshot(2000, [dom('a', 1, RUNNING, 1, { vcpus: 2, cpuTimeNs: 1n }), dom('b', 2, SHUTOFF)]));
    assert.deepEqual([count(db, 'snapshot_domains'), openRuns(db)], [3, 2]);
    const ids = db.prepare('SELECT id FROM snapshots ORDER BY id').pluck().all() as number[];
    assert.equal(store.get(ids[4]!, true)!.domains![0]!.vcpus, 1, 'an old snapshot still reads its own figures');
    assert.equal(store.get(ids[4]!, true)!.domains![0]!.cpuTimeNs, 4000n);
    assert.equal(store.get(ids[10]!, true)!.domains![0]!.vcpus, 2);
  });

  test('a domain that goes away ends its run; a failed run is stored with its error and no figures', () => {
    const db = migratedMemoryDb();
    const store = new SqliteSnapshotStore(db);
    const first = store.record(snapshot(1000, pair(1n)));
    const failed = store.recordFailure(1500, 20, 'libvirt is not connected (reconnecting)');
    const third = store.record(snapshot(2000, [dom('a', 1, RUNNING, 1, { cpuTimeNs: 2n })]));
    assert.deepEqual(store.get(first, true)!.domains!.map((d) => d.domain.name), ['a', 'b']);
    assert.deepEqual(store.get(third, true)!.domains!.map((d) => d.domain.name), ['a']);
    const f = store.get(failed, true)!;
    assert.deepEqual([f.ok, f.error, f.host, f.domains, f.domainCount, f.durationMs], [false, 'libvirt is not connected (reconnecting)', null, [], null, 20]);
    assert.equal(store.newest()!.takenAt, 2000, 'newest() skips failed runs');
  });

  test('list: newest first, time range inclusive, stable cursor, domains only when asked', () => {
    const store = new SqliteSnapshotStore(migratedMemoryDb());
    for (let i = 0; i < 7; i++) store.record(snapshot(1000 * (i + 1), pair(BigInt(i))));
    const page1 = store.list({ limit: 3, withDomains: false });
    assert.deepEqual(page1.snapshots.map((s) => s.takenAt), [7000, 6000, 5000]);
    assert.equal(page1.snapshots[0]!.domains, undefined);
    const page2 = store.list({ limit: 3, withDomains: true, before: page1.nextCursor! });
    assert.deepEqual(page2.snapshots.map((s) => s.takenAt), [4000, 3000, 2000]);
    assert.equal(page2.snapshots[0]!.domains!.length, 2);
    const last = store.list({ limit: 3, withDomains: false, before: page2.nextCursor! });
    assert.deepEqual([last.snapshots.map((s) => s.takenAt), last.nextCursor], [[1000], null]);
    assert.deepEqual(store.list({ limit: 50, withDomains: false, since: 2000, until: 4000 }).snapshots.map((s) => s.takenAt), [4000, 3000, 2000]);
  });

  test('prune deletes exactly the snapshots older than the cutoff and the runs only they needed', () => {
    const db = migratedMemoryDb();
    const store = new SqliteSnapshotStore(db);
    store.record(snapshot(1000, [dom('old', 9, SHUTOFF), ...pair(1n)])); // 'old' exists only here
    store.recordFailure(1500, 5, 'down');
    store.record(snapshot(2000, pair(2n)));
    store.record(snapshot(3000, [dom('a', 1, RUNNING, 1, { vcpus: 2, cpuTimeNs: 3n }), dom('b', 2, SHUTOFF)]));
    const before = { snapshots: count(db, 'snapshots'), runs: count(db, 'snapshot_domains') };
    assert.deepEqual(before, { snapshots: 4, runs: 4 });
    assert.deepEqual(store.prune(2000), { snapshots: 2, runs: 1 }, 'the two before 2000, and the run of "old"');
    assert.deepEqual(store.list({ limit: 10, withDomains: false }).snapshots.map((s) => s.takenAt), [3000, 2000]);
    assert.deepEqual(store.list({ limit: 10, withDomains: true }).snapshots.map((s) => s.domains!.map((d) => `${d.domain.name}:${d.vcpus}`)),
      [['a:2', 'b:1'], ['a:1', 'b:1']], 'what is kept still reads whole');
    assert.deepEqual(store.prune(2000), { snapshots: 0, runs: 0 }, 'a second run deletes nothing more');
    assert.deepEqual(store.prune(3001), { snapshots: 2, runs: 1 }, "a's closed run goes; the open runs stay");
    assert.equal(openRuns(db), 2);
    store.record(snapshot(4000, [dom('a', 1, RUNNING, 1, { vcpus: 2, cpuTimeNs: 4n }), dom('b', 2, SHUTOFF)]));
    assert.deepEqual(store.newest()!.domains.map((d) => d.domain.name), ['a', 'b']);
  });

  test('a store reopened on the same file goes on with the open runs', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gvh-snap-'));
    dirs.push(dir);
    const file = path.join(dir, 'db.sqlite');
    const db1 = openDatabase(file);
    upgradeSchema(db1);
    new SqliteSnapshotStore(db1).record(snapshot(1000, pair(1n)));
    db1.close();
    const db2 = openDatabase(file);
    const store = new SqliteSnapshotStore(db2);
    assert.deepEqual(store.newest()!.domains.map((d) => d.domain.name), ['a', 'b']);
    store.record(snapshot(2000, pair(2n)));
    store.record(snapshot(3000, [dom('a', 1, SHUTOFF, 2)]));
    assert.deepEqual([count(db2, 'snapshot_domains'), openRuns(db2)], [3, 1]);
    db2.close();
  });
});
