/**
 * The audit log under hostile input: bounded params and results, fixed-size refusal rows, kept
 * documents within their cap, and history pages bounded in bytes.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { MAX_PAGE_BYTES, SqliteAuditStore } from '../../src/store/audit.ts';
import { MAX_PARAMS_BYTES, MAX_RESULT_BYTES, boundParams, boundResult } from '../../src/store/bound.ts';
import { auditEnd, auditStart, migratedMemoryDb } from '../support/store.ts';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const jsonBytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

describe('boundParams', () => {
  test('a long string keeps a prefix, its length and its SHA-256', () => {
    const long = 'x'.repeat(100_000);
    assert.deepEqual(boundParams({ note: long }), { note: { prefix: 'x'.repeat(128), length: 100_000, sha256: sha(long) } });
  });

  test('XML becomes its SHA-256 and size, whatever its length', () => {
    const xml = '<domain>\u0000\u0000</domain>';
    assert.deepEqual(boundParams({ xml }), { xml: { sha256: sha(xml), bytes: Buffer.byteLength(xml) } });
  });

  test('a 1 MB unknown field name is cut, and short values pass unchanged', () => {
    const key = 'k'.repeat(1_000_000);
    const bounded = boundParams({ [key]: 1, domain: 'web1', live: true, bandwidth: 10 });
    assert.ok(jsonBytes(bounded) < 200, JSON.stringify(bounded).slice(0, 300));
    assert.equal(bounded.domain, 'web1');
    assert.equal(bounded.live, true);
  });

  test('a __proto__ key is kept as data, never as the prototype', () => {
    const bounded = boundParams(JSON.parse('{"__proto__": {"polluted": 1}}') as Record<string, unknown>);
    assert.equal(Object.getPrototypeOf(bounded), Object.prototype);
    assert.deepEqual(Object.keys(bounded), ['__proto__']);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  test('deep and wide structures are cut', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 1000; i++) deep = [deep];
    const wide = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i]));
    assert.ok(jsonBytes(boundParams({ deep, wide })) <= MAX_PARAMS_BYTES);
    assert.equal((boundParams({ wide }).wide as Record<string, unknown>)['(more)'], 5000 - 64);
  });

  test('property: any JSON object is bounded to MAX_PARAMS_BYTES, results to MAX_RESULT_BYTES', () => {
    fc.assert(fc.property(fc.dictionary(fc.string({ maxLength: 300 }), fc.jsonValue({ maxDepth: 8 }), { maxKeys: 200 }), (params) => {
      assert.ok(jsonBytes(boundParams(params)) <= MAX_PARAMS_BYTES);
      assert.ok(jsonBytes(boundResult(params)) <= MAX_RESULT_BYTES);
    }), { numRuns: 300 });
  });

  test('many mid-size strings together fall back to a digest of the whole', () => {
    const params = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`f${i}`, 'y'.repeat(500)]));
    const bounded = boundParams(params);
    assert.ok(jsonBytes(bounded) <= MAX_PARAMS_BYTES);
    assert.deepEqual(Object.keys(bounded), ['(omitted)']);
  });
});

describe('SqliteAuditStore under hostile input', () => {
  test('a stored record stays within its bounds, error message included', () => {
    const store = new SqliteAuditStore(migratedMemoryDb());
    const id = store.begin(auditStart({ userAgent: 'u'.repeat(100_000), domain: 'd'.repeat(10_000), params: { xml: 'x'.repeat(1_000_000), k: 'v'.repeat(1_000_000) } }));
    store.finish(id, auditEnd({ outcome: 'rejected', httpStatus: 400, errorMessage: 'e'.repeat(1_000_000), result: { echo: 'z'.repeat(1_000_000) } }));
    const rec = store.get(id)!;
    assert.ok(jsonBytes(rec) < 3 * 1024, `record is ${jsonBytes(rec)} bytes`);
    assert.equal(rec.userAgent?.length, 256);
    assert.ok(rec.errorMessage!.length < 1100);
  });

  test('a refusal is one finished fixed-size row: method and path, never a body', () => {
    const store = new SqliteAuditStore(migratedMemoryDb());
    const id = store.refuse({
      requestId: 'r1', receivedAt: 5, actor: 'anonymous', remoteAddr: '192.0.2.1', protocol: 'rest', action: 'start', domain: 'web1',
      method: 'POST', path: `/v1/domains/web1/actions/start?${'q'.repeat(10_000)}`, httpStatus: 401, errorCode: 'UNAUTHENTICATED', errorMessage: 'a valid bearer token is required',
    });
    const rec = store.get(id)!;
    assert.deepEqual([rec.outcome, rec.httpStatus, rec.errorCode, rec.finishedAt, rec.durationMs], ['rejected', 401, 'UNAUTHENTICATED', 5, 0]);
    assert.equal(rec.params.method, 'POST');
    assert.equal(String(rec.params.path).length, 128);
    assert.ok(jsonBytes(rec) < 1024);
  });

  test('kept documents stay within their cap, oldest dropped first', () => {
    const store = new SqliteAuditStore(migratedMemoryDb(), { documentsCapBytes: 10_000 });
    const ids = [1, 2, 3].map((n) => {
      const id = store.begin(auditStart({ action: 'define', params: {} }));
      store.keepDocument(id, 'xml', String(n).repeat(4_000));
      return id;
    });
    assert.equal(store.document(ids[0]!, 'xml'), null, 'the oldest went first');
    assert.equal(store.document(ids[1]!, 'xml'), '2'.repeat(4_000));
    assert.equal(store.document(ids[2]!, 'xml'), '3'.repeat(4_000));
    const tooBig = store.begin(auditStart({ action: 'define', params: {} }));
    store.keepDocument(tooBig, 'xml', 'b'.repeat(20_000));
    assert.equal(store.document(tooBig, 'xml'), null, 'a document over the whole cap is not kept');
    assert.equal(store.document(ids[2]!, 'xml'), '3'.repeat(4_000), 'and pushes nothing out');
  });

  test('a page of 500 of the largest records stays under 2 MB and its cursor goes on', () => {
    const store = new SqliteAuditStore(migratedMemoryDb());
    const big = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`f${i}`, 'y'.repeat(400)]));
    for (let i = 0; i < 600; i++) {
      const id = store.begin(auditStart({ params: big }));
      store.finish(id, auditEnd({ result: big, errorMessage: 'm'.repeat(5000) }));
    }
    const page = store.query({ limit: 500 });
    const bytes = jsonBytes(page);
    assert.ok(bytes < 2_000_000 && bytes > MAX_PAGE_BYTES / 2, `page is ${bytes} bytes`);
    assert.ok(page.records.length < 500 && page.nextCursor !== null);
    const next = store.query({ limit: 500, before: page.nextCursor! });
    assert.equal(next.records[0]!.id, page.nextCursor! - 1, 'no record is skipped');
  });
});
