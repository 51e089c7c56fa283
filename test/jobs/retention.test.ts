/**
 * Retention: snapshots older than the snapshot retention go; audit records and state changes go
 * only when an audit retention is set, and only those older than it; nothing else is touched.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { createInventory } from '../../src/inventory/index.ts';
import { RetentionJob, pruneOnce } from '../../src/jobs/retention-job.ts';
import { SqliteAuditStore } from '../../src/store/audit.ts';
import { SqliteDefinitionStore } from '../../src/store/definitions.ts';
import type { Database } from '../../src/store/db.ts';
import { dom, snapshot, uuidOf } from '../support/inventory.ts';
import { auditEnd, auditStart, migratedMemoryDb } from '../support/store.ts';

const DAY = 86_400_000;
const NOW = 100 * DAY;

/** A database with a snapshot, an audit record, a state change and a definition at each of 40, 20, 10 and 1 days ago. */
function history(): { db: Database; deps: Parameters<typeof pruneOnce>[0] } {
  const db = migratedMemoryDb();
  const inventory = createInventory(db);
  const audit = new SqliteAuditStore(db);
  const definitions = new SqliteDefinitionStore(db);
  for (const age of [40, 20, 10, 1]) {
    const at = NOW - age * DAY;
    inventory.snapshots.record(snapshot(at, [dom(`d${age}`, age, 5)]));
    const id = audit.begin(auditStart({ receivedAt: at, domain: `d${age}` }));
    audit.finish(id, auditEnd({ finishedAt: at + 1 }));
    inventory.changes.record({ domain: `d${age}`, uuid: uuidOf(age), at, from: 'running', to: 'shut off', reason: 'destroyed', cause: { type: 'event', event: 'stopped/destroyed' } }, id);
    definitions.rememberUndefined(`d${age}`, '<domain/>', id, at);
  }
  audit.begin(auditStart({ receivedAt: NOW - 90 * DAY })); // still pending: never pruned
  return { db, deps: { audit, inventory, clock: { now: () => NOW }, log: pino({ level: 'silent' }) } };
}

const counts = (db: Database) => Object.fromEntries(['snapshots', 'audit', 'state_changes', 'undefined_domains', 'snapshot_domains']
  .map((t) => [t, db.prepare(`SELECT count(*) FROM ${t}`).pluck().get()]));

async function until(probe: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > end) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('retention', () => {
  test('default (audit kept for ever): only snapshots older than 14 days and their runs go', () => {
    const { db, deps } = history();
    assert.deepEqual(pruneOnce(deps, { snapshotRetentionMs: 14 * DAY, auditRetentionMs: null }, NOW), { snapshots: 2, runs: 2, audit: 0, stateChanges: 0 });
    assert.deepEqual(counts(db), { snapshots: 2, audit: 5, state_changes: 4, undefined_domains: 4, snapshot_domains: 2 });
    const kept = deps.inventory.snapshots.list({ limit: 10, withDomains: true }).snapshots;
    assert.deepEqual(kept.map((s) => [(NOW - s.takenAt) / DAY, s.domains!.map((d) => d.domain.name)]), [[1, ['d1']], [10, ['d10']]]);
  });

  test('with an audit retention: older finished audit records and state changes go too; definitions stay, unlinked', () => {
    const { db, deps } = history();
    assert.deepEqual(pruneOnce(deps, { snapshotRetentionMs: 30 * DAY, auditRetentionMs: 15 * DAY }, NOW), { snapshots: 1, runs: 1, audit: 2, stateChanges: 2 });
    assert.deepEqual(counts(db), { snapshots: 3, audit: 3, state_changes: 2, undefined_domains: 4, snapshot_domains: 3 });
    assert.deepEqual(db.prepare('SELECT received_at FROM audit ORDER BY id').pluck().all().map((t) => (NOW - (t as number)) / DAY), [10, 1, 90]);
    assert.equal(db.prepare('SELECT count(*) FROM undefined_domains WHERE audit_id IS NULL').pluck().get(), 2);
  });

  test('the job prunes once at start, then on its schedule; stop ends it', async () => {
    const { db, deps } = history();
    let now = NOW;
    const job = new RetentionJob({ ...deps, clock: { now: () => now } }, { snapshotRetentionMs: 14 * DAY, auditRetentionMs: null, schedule: '* * * * * *' });
    job.start();
    assert.equal(counts(db).snapshots, 2, 'the run at start');
    now = NOW + 5 * DAY; // the 10-day-old snapshot is now 15 days old
    await until(() => counts(db).snapshots === 1, 3_000);
    await job.stop();
    now = NOW + 30 * DAY; // the last one is now 31 days old, but nothing runs any more
    await new Promise((r) => setTimeout(r, 1_500));
    assert.equal(counts(db).snapshots, 1, 'no run after stop');
  });
});
