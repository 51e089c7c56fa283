/** Which audited action a state change is put down to: during it, or just after it in the state it reported. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DomainLocks } from '../../src/model/locks.ts';
import { CauseTracker } from '../../src/inventory/causes.ts';
import type { StateChange } from '../../src/model/inventory.ts';
import { SqliteAuditStore } from '../../src/store/audit.ts';
import { SqliteStateChangeStore } from '../../src/store/state-changes.ts';
import { auditEnd, auditStart, migratedMemoryDb } from '../support/store.ts';
import { uuidOf } from '../support/inventory.ts';

const change = (at: number, to: string, event: string | null = 'started/booted'): StateChange => ({
  domain: 'web1', uuid: uuidOf(1), at, from: 'shut off', to, reason: 'booted', cause: event === null ? { type: 'snapshot' } : { type: 'event', event },
});

function setup() {
  const db = migratedMemoryDb();
  const audit = new SqliteAuditStore(db);
  const changes = new SqliteStateChangeStore(db);
  const locks = new DomainLocks();
  const finished = (action: string, from: number, to: number, outcome: 'succeeded' | 'rejected' = 'succeeded', family: 'read' | 'mutation' = 'mutation') => {
    const id = audit.begin(auditStart({ receivedAt: from, domain: 'web1', action }));
    audit.finish(id, auditEnd({ finishedAt: to, outcome, result: { state: 'running' } }));
    return { record: audit.get(id)!, family };
  };
  return { changes, locks, tracker: new CauseTracker(changes, locks, 2000), finished };
}

describe('CauseTracker', () => {
  test('changes during the action are linked when it ends; one just after, in its state, is put down to it', () => {
    const { changes, tracker, finished } = setup();
    changes.record(change(1050, 'running'));
    const f = finished('start', 1000, 1100);
    tracker.auditFinished(f);
    assert.equal(changes.timeline({ domain: 'web1', limit: 1 }).changes[0]!.auditId, f.record.id);
    assert.equal(tracker.auditFor(change(1500, 'running')), f.record.id);
    assert.equal(tracker.auditFor(change(1500, 'paused')), null, 'not the state the action reported');
    assert.equal(tracker.auditFor(change(1500, 'running', null)), null, 'a snapshot finding is no event of the action');
    assert.equal(tracker.auditFor(change(3200, 'running')), null, 'after the grace period');
  });

  test('while another mutation holds the domain, the change is left for that one', () => {
    const { locks, tracker, finished } = setup();
    tracker.auditFinished(finished('start', 1000, 1100));
    locks.tryAcquire('web1', 'destroy');
    assert.equal(tracker.auditFor(change(1200, 'running')), null);
  });

  test('reads and rejected actions cause nothing', () => {
    const { changes, tracker, finished } = setup();
    changes.record(change(1050, 'running'));
    tracker.auditFinished(finished('get-domain', 1000, 1100, 'succeeded', 'read'));
    tracker.auditFinished(finished('start', 1000, 1100, 'rejected'));
    assert.equal(changes.timeline({ domain: 'web1', limit: 1 }).changes[0]!.auditId, null);
    assert.equal(tracker.auditFor(change(1200, 'running')), null);
  });
});
