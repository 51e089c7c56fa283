/** The idempotency key store: claim, complete, replay, a different request, a running one, expiry, scope, release. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { IDEMPOTENCY_TTL_MS, MAX_STORED_ANSWER_BYTES, SqliteIdempotencyStore } from '../../src/store/idempotency.ts';
import { migratedMemoryDb } from '../support/store.ts';

describe('SqliteIdempotencyStore', () => {
  test('new, then in progress, then a replay of the stored answer; another fingerprint is a mismatch', () => {
    const s = new SqliteIdempotencyStore(migratedMemoryDb());
    assert.deepEqual(s.claim('ops', 'k1', 'f1', 1000), { kind: 'new' });
    assert.deepEqual(s.claim('ops', 'k1', 'f1', 1001), { kind: 'in-progress', auditId: null });
    s.complete('ops', 'k1', null, 200, '{"ok":true}');
    assert.deepEqual(s.claim('ops', 'k1', 'f1', 1002), { kind: 'replay', status: 200, body: '{"ok":true}', auditId: null });
    assert.deepEqual(s.claim('ops', 'k1', 'f2', 1003), { kind: 'mismatch' });
  });

  test('keys are per caller, expire after 24 h, and a released or too-large answer frees the key', () => {
    const s = new SqliteIdempotencyStore(migratedMemoryDb());
    s.claim('alice', 'k', 'f', 0);
    assert.deepEqual(s.claim('bob', 'k', 'other', 0), { kind: 'new' }, 'another caller has its own keys');
    s.complete('alice', 'k', null, 200, '{}');
    assert.deepEqual(s.claim('alice', 'k', 'changed', IDEMPOTENCY_TTL_MS + 1), { kind: 'new' }, 'expired');
    s.release('alice', 'k');
    assert.deepEqual(s.claim('alice', 'k', 'f', IDEMPOTENCY_TTL_MS + 2), { kind: 'new' });
    s.complete('alice', 'k', null, 200, 'x'.repeat(MAX_STORED_ANSWER_BYTES + 1));
    assert.deepEqual(s.claim('alice', 'k', 'f', IDEMPOTENCY_TTL_MS + 3), { kind: 'new' }, 'too large to replay: the key was freed');
  });
});
