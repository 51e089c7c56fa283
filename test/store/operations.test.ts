/**
 * The audit table as operations' state (migration 0007): running and canceled records, progress,
 * the status filters, and a rebuild that keeps every row and every reference to it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from '../../src/store/db.ts';
import { SqliteAuditStore } from '../../src/store/audit.ts';
import { SqliteIdempotencyStore } from '../../src/store/idempotency.ts';
import { applyMigrations, loadMigrations, readUserVersion } from '../../src/store/schema.ts';
import { auditEnd, auditStart, migratedMemoryDb } from '../support/store.ts';

test('migration 0007 keeps every audit row, its documents and its idempotency key, and foreign keys stay on', () => {
  const db = openDatabase(':memory:');
  const all = loadMigrations();
  applyMigrations(db, all.filter((m) => m.version <= 6));
  // Rows as the version-6 agent wrote them (the store's statements are the new schema's).
  const insert = db.prepare(`INSERT INTO audit (request_id, received_at, actor, protocol, action, params, outcome)
                             VALUES (?, 1, 'ops', 'rest', ?, '{}', ?)`);
  const id = Number(insert.run('r1', 'define', 'succeeded').lastInsertRowid);
  const pending = Number(insert.run('r2', 'start', 'pending').lastInsertRowid);
  db.prepare(`INSERT INTO audit_documents (audit_id, field, sha256, bytes, body) VALUES (?, 'xml', 'x', 34, ?)`)
    .run(id, '<domain><name>web1</name></domain>');
  new SqliteIdempotencyStore(db).claim('ops', 'key-1', 'f'.repeat(64), 1);
  db.prepare('UPDATE idempotency_keys SET audit_id = ?').run(id);

  applyMigrations(db, all);
  assert.equal(readUserVersion(db), all.at(-1)!.version);
  assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
  const after = new SqliteAuditStore(db);
  assert.equal(after.get(id)?.outcome, 'succeeded');
  assert.equal(after.get(pending)?.outcome, 'pending');
  assert.equal(after.document(id, 'xml'), '<domain><name>web1</name></domain>');
  assert.equal(db.prepare('SELECT audit_id FROM idempotency_keys').pluck().get(), id);
  // The references still point at the rebuilt table: deleting the record cascades to them.
  db.prepare('DELETE FROM audit WHERE id = ?').run(id);
  assert.equal(after.document(id, 'xml'), null);
  assert.equal(db.prepare('SELECT count(*) FROM idempotency_keys').pluck().get(), 0);
});

test('a record runs, keeps its progress, and ends canceled with its last progress', () => {
  const store = new SqliteAuditStore(migratedMemoryDb());
  const id = store.begin(auditStart({ action: 'shutdown' }));
  store.saveProgress(id, { ignored: true }); // not running yet: nothing to keep
  assert.equal(store.get(id)?.progress, null);
  store.markRunning(id, 1_700_000_000_100);
  store.saveProgress(id, { waitedSeconds: 3, remainingSeconds: 117 });
  const running = store.get(id);
  assert.equal(running?.outcome, 'running');
  assert.equal(running?.startedAt, 1_700_000_000_100);
  assert.deepEqual(running?.progress, { waitedSeconds: 3, remainingSeconds: 117 });
  assert.equal(store.finish(id, auditEnd({ outcome: 'canceled', httpStatus: 409, errorCode: 'OPERATION_CANCELED', progress: { waitedSeconds: 4, remainingSeconds: 116 } })), true);
  const ended = store.get(id);
  assert.equal(ended?.outcome, 'canceled');
  assert.deepEqual(ended?.progress, { waitedSeconds: 4, remainingSeconds: 116 });
  store.saveProgress(id, { late: true });
  assert.deepEqual(store.get(id)?.progress, { waitedSeconds: 4, remainingSeconds: 116 });
});

test('a running record is interrupted at the next start and is never pruned while it runs', () => {
  const store = new SqliteAuditStore(migratedMemoryDb());
  const id = store.begin(auditStart());
  store.markRunning(id, 1);
  assert.equal(store.prune(Number.MAX_SAFE_INTEGER), 0);
  assert.equal(store.markInterrupted(2), 1);
  assert.equal(store.get(id)?.outcome, 'interrupted');
  assert.equal(store.finish(id, auditEnd()), false);
});

test('history filters on a set of outcomes and of actions', () => {
  const store = new SqliteAuditStore(migratedMemoryDb());
  const ids = ['start', 'shutdown', 'list-domains', 'migrate'].map((action) => store.begin(auditStart({ action })));
  store.markRunning(ids[1]!, 1);
  store.finish(ids[0]!, auditEnd());
  const page = store.query({ actions: ['start', 'shutdown', 'migrate'], outcomes: ['pending', 'running'], limit: 50 });
  assert.deepEqual(page.records.map((r) => r.action), ['migrate', 'shutdown']);
  assert.deepEqual(store.query({ actions: [], limit: 50 }).records, []);
});
