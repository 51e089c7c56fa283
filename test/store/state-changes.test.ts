/** The state timeline on SQLite: record, link to an audited action, page a domain's changes, prune. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SqliteAuditStore } from '../../src/store/audit.ts';
import { SqliteStateChangeStore } from '../../src/store/state-changes.ts';
import type { StateChange } from '../../src/model/inventory.ts';
import { uuidOf } from '../support/inventory.ts';
import { auditEnd, auditStart, migratedMemoryDb } from '../support/store.ts';

const change = (domain: string, at: number, from: string, to: string, event: string | null = 'stopped/destroyed'): StateChange => ({
  domain, uuid: uuidOf(1), at, from, to, reason: 'destroyed', cause: event === null ? { type: 'snapshot' } : { type: 'event', event },
});

describe('SqliteStateChangeStore', () => {
  test('timeline: one domain, newest first, with cursor and time range', () => {
    const store = new SqliteStateChangeStore(migratedMemoryDb());
    for (let i = 0; i < 5; i++) store.record(change('a', 1000 + i, 'running', 'shut off'));
    store.record(change('b', 1002, 'running', 'paused'));
    const p1 = store.timeline({ domain: 'a', limit: 2 });
    assert.deepEqual(p1.changes.map((c) => c.at), [1004, 1003]);
    const p2 = store.timeline({ domain: 'a', limit: 2, before: p1.nextCursor! });
    assert.deepEqual(p2.changes.map((c) => c.at), [1002, 1001]);
    assert.deepEqual(store.timeline({ domain: 'a', limit: 10, since: 1001, until: 1003 }).changes.map((c) => c.at), [1003, 1002, 1001]);
    const [b] = store.timeline({ domain: 'b', limit: 10 }).changes;
    assert.deepEqual([b!.from, b!.to, b!.reason, b!.cause, b!.auditId, b!.action, b!.uuid], ['running', 'paused', 'destroyed', { type: 'event', event: 'stopped/destroyed' }, null, null, uuidOf(1)]);
  });

  test('linkAudit links event changes of that domain within the window, once; the audit record names the action', () => {
    const db = migratedMemoryDb();
    const audit = new SqliteAuditStore(db);
    const store = new SqliteStateChangeStore(db);
    const id = audit.begin(auditStart({ receivedAt: 1000, action: 'destroy', domain: 'a', actor: 'ops' }));
    audit.finish(id, auditEnd({ finishedAt: 1100 }));
    store.record(change('a', 999, 'paused', 'running'));
    store.record(change('a', 1050, 'running', 'shut off'));
    store.record(change('a', 1060, 'shut off', 'undefined', null));
    store.record(change('b', 1050, 'running', 'shut off'));
    assert.equal(store.linkAudit(id, 'a', 1000, 1100), 1, 'only the event change of a inside the window');
    assert.equal(store.linkAudit(id, 'a', 1000, 1100), 0);
    const byAt = new Map(store.timeline({ domain: 'a', limit: 10 }).changes.map((c) => [c.at, c]));
    assert.deepEqual([byAt.get(1050)!.auditId, byAt.get(1050)!.action, byAt.get(1050)!.actor], [id, 'destroy', 'ops']);
    assert.equal(byAt.get(999)!.auditId, null);
    assert.equal(byAt.get(1060)!.auditId, null);
    store.record(change('a', 1200, 'shut off', 'running'), id);
    assert.equal(store.timeline({ domain: 'a', limit: 1 }).changes[0]!.auditId, id, 'record() takes a known cause');
  });

  test('prune deletes changes older than the cutoff, nothing else', () => {
    const db = migratedMemoryDb();
    const store = new SqliteStateChangeStore(db);
    for (const at of [100, 200, 300]) store.record(change('a', at, 'running', 'shut off'));
    assert.equal(store.prune(200), 1);
    assert.deepEqual(store.timeline({ domain: 'a', limit: 10 }).changes.map((c) => c.at), [300, 200]);
  });

  test('deleting an audit record keeps the changes it caused, unlinked', () => {
    const db = migratedMemoryDb();
    const audit = new SqliteAuditStore(db);
    const store = new SqliteStateChangeStore(db);
    const id = audit.begin(auditStart({ receivedAt: 10 }));
    audit.finish(id, auditEnd({ finishedAt: 20 }));
    store.record(change('a', 15, 'running', 'shut off'), id);
    assert.equal(audit.prune(11), 1);
    assert.equal(store.timeline({ domain: 'a', limit: 1 }).changes[0]!.auditId, null);
  });
});

describe('SqliteAuditStore.prune', () => {
  test('deletes finished records received before the cutoff; a pending one stays, whatever its age', () => {
    const audit = new SqliteAuditStore(migratedMemoryDb());
    const old = audit.begin(auditStart({ receivedAt: 100 }));
    audit.finish(old, auditEnd({ finishedAt: 110 }));
    const running = audit.begin(auditStart({ receivedAt: 100 }));
    const recent = audit.begin(auditStart({ receivedAt: 500 }));
    audit.finish(recent, auditEnd({ finishedAt: 510 }));
    assert.equal(audit.prune(500), 1);
    assert.deepEqual([audit.get(old), audit.get(running)?.outcome, audit.get(recent)?.outcome], [null, 'pending', 'succeeded']);
  });
});
