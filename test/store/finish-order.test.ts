/**
 * The order audit records finish in (migrations/0008_audit_finish_order.sql): the upgrade numbers
 * what had finished, triggers number every ending however it is written, and `after` pages are
 * exact and gap-free in that order, across a new store on the same database and a prune.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from '../../src/store/db.ts';
import { SqliteAuditStore } from '../../src/store/audit.ts';
import { applyMigrations, loadMigrations } from '../../src/store/schema.ts';
import { auditEnd, auditStart, migratedMemoryDb } from '../support/store.ts';

const MIGRATIONS = loadMigrations();
const refusal = (requestId: string) => ({
  requestId, receivedAt: 1_700_000_000_000, actor: 'anonymous', remoteAddr: null, protocol: 'rest' as const, action: 'start',
  domain: null, method: 'POST', path: '/v1/x', httpStatus: 401, errorCode: 'UNAUTHENTICATED', errorMessage: 'no token',
});

describe('the order audit records finish in', () => {
  test('the upgrade numbers finished records in id order and leaves open ones unnumbered', () => {
    const db = openDatabase(':memory:');
    applyMigrations(db, MIGRATIONS.slice(0, 7));
    const insert = db.prepare(`INSERT INTO audit (request_id, received_at, actor, protocol, action, params, outcome)
      VALUES ('r', 1, 'ops', 'rest', 'start', '{}', ?)`);
    const a = Number(insert.run('succeeded').lastInsertRowid);
    const open = Number(insert.run('running').lastInsertRowid);
    const b = Number(insert.run('failed').lastInsertRowid);
    applyMigrations(db, MIGRATIONS.slice(0, 8));
    const store = new SqliteAuditStore(db);
    assert.deepEqual([store.get(a)!.seq, store.get(open)!.seq, store.get(b)!.seq], [a, null, b]);
    store.finish(open, auditEnd());
    assert.equal(store.get(open)!.seq, b + 1, 'the counter goes on after the highest');
  });

  test('finishes, refusals and interrupted records each get the next number, in the order they end', () => {
    const store = new SqliteAuditStore(migratedMemoryDb());
    const first = store.begin(auditStart());
    const second = store.begin(auditStart());
    const third = store.begin(auditStart());
    store.finish(second, auditEnd());
    const refused = store.refuse(refusal('r1'));
    store.finish(first, auditEnd({ outcome: 'failed', errorCode: 'CONFLICT' }));
    store.markRunning(third, 1);
    const fourth = store.begin(auditStart());
    assert.equal(store.markInterrupted(2), 2);
    const seqs = [second, refused, first].map((id) => store.get(id)!.seq);
    assert.deepEqual(seqs, [1, 2, 3]);
    assert.deepEqual([store.get(third)!.seq, store.get(fourth)!.seq].sort(), [4, 5]);
    assert.equal(store.lastSeq(), 5);
  });

  test('after= pages are exact, in finishing order, filtered, and survive a new store and a prune', () => {
    const db = migratedMemoryDb();
    let store = new SqliteAuditStore(db);
    const ids = Array.from({ length: 5 }, (_, i) => store.begin(auditStart({ domain: i % 2 ? 'odd' : 'even', receivedAt: 1000 + i })));
    for (const id of [...ids].reverse()) store.finish(id, auditEnd());
    const page1 = store.query({ after: 0, limit: 2 });
    assert.deepEqual(page1.records.map((r) => r.id), [ids[4], ids[3]]);
    assert.equal(page1.nextAfter, 2);
    store = new SqliteAuditStore(db); // a restart
    const page2 = store.query({ after: page1.nextAfter!, limit: 10 });
    assert.deepEqual(page2.records.map((r) => r.id), [ids[2], ids[1], ids[0]]);
    assert.equal(store.query({ after: page2.nextAfter!, limit: 10 }).nextAfter, page2.nextAfter, 'nothing new: the same seq again');
    assert.deepEqual(store.query({ after: 0, limit: 10, domain: 'odd' }).records.map((r) => r.id), [ids[3], ids[1]]);
    assert.equal(store.prune(10_000), 5);
    const late = store.begin(auditStart());
    store.finish(late, auditEnd());
    assert.deepEqual(store.query({ after: page2.nextAfter!, limit: 10 }).records.map((r) => [r.id, r.seq]), [[late, 6]], 'numbers are never reused after a prune');
  });
});
