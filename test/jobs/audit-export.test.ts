/**
 * The audit exporter (as the lines on stdout use it) on an in-memory database: the first start does not replay the history,
 * a poke writes what finished, records written without the dispatcher (a refusal, interrupted ones)
 * come with the next tick, and a new exporter on the same database goes on from the saved cursor.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AuditExport } from '../../src/jobs/audit-export.ts';
import { auditLine } from '../../src/model/audit-line.ts';
import { SqliteAuditStore } from '../../src/store/audit.ts';
import { auditEnd, auditStart, migratedMemoryDb } from '../support/store.ts';
import { waitUntil } from '../support/wait.ts';

test('audit lines: from now on, every ending once, in order, across a restart', async () => {
  const db = migratedMemoryDb();
  const store = new SqliteAuditStore(db);
  store.finish(store.begin(auditStart({ action: 'old' })), auditEnd());
  const written: string[] = [];
  const make = () => new AuditExport({ audit: store, cursor: 'lines', send: (r) => written.push(auditLine(r, { host: 'h', agentVersion: 'v' })), intervalMs: 20 });
  const first = make();
  first.start();
  assert.deepEqual(written, [], 'the history before the first start is not replayed');
  store.finish(store.begin(auditStart({ action: 'start' })), auditEnd());
  first.poke();
  await waitUntil(() => written.length === 1, 1_000);
  store.refuse({ requestId: 'r', receivedAt: 1, actor: 'anonymous', remoteAddr: null, protocol: 'rest', action: 'reset', domain: null, method: 'POST', path: '/v1/x', httpStatus: 401, errorCode: 'UNAUTHENTICATED', errorMessage: 'no' });
  await waitUntil(() => written.length === 2, 1_000);
  first.stop();
  store.begin(auditStart({ action: 'destroy' }));
  store.markInterrupted(5);
  const second = make();
  second.start();
  second.stop();
  assert.deepEqual(written.map((l) => [JSON.parse(l).action, JSON.parse(l).outcome, JSON.parse(l).seq]), [
    ['start', 'succeeded', 2], ['reset', 'rejected', 3], ['destroy', 'interrupted', 4],
  ]);
});
