import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  INTERRUPTED_ERROR_CODE, INTERRUPTED_ERROR_MESSAGE, MAX_PAGE_SIZE, SqliteAuditStore, historyPageSql,
} from '../../src/store/audit.ts';
import type { AuditOutcome, AuditQuery, AuditRecord } from '../../src/model/audit.ts';
import { auditEnd, auditStart, migratedMemoryDb } from '../support/store.ts';

const newStore = () => new SqliteAuditStore(migratedMemoryDb());

describe('SqliteAuditStore: one record', () => {
  test('begin writes a pending record', () => {
    const store = newStore();
    const id = store.begin(auditStart({ remoteAddr: null, userAgent: null }));
    assert.deepEqual(store.get(id), {
      ...auditStart({ remoteAddr: null, userAgent: null }),
      id, finishedAt: null, durationMs: null, outcome: 'pending', httpStatus: null, errorCode: null,
      errorMessage: null, libvirtCode: null, result: null, startedAt: null, progress: null, seq: null,
    });
  });

  test('begin then finish round-trips every field, JSON included (XML as its digest)', () => {
    const store = newStore();
    const xml = `<domain type='kvm'><name>web1</name>${'<disk/>'.repeat(2000)}</domain>`;
    const start = auditStart({
      protocol: 'seed', action: 'define', target: 'snap-1', params: { xml, flags: [1, 2], nested: { on: true, none: null } },
    });
    const end = auditEnd({
      finishedAt: start.receivedAt + 1234, outcome: 'failed', httpStatus: 409, errorCode: 'CONFLICT',
      errorMessage: 'domain is already running', libvirtCode: 55, result: { detail: { tries: 2 } },
    });
    const id = store.begin(start);
    assert.equal(store.finish(id, end), true);
    const stored = { ...start.params, xml: { sha256: createHash('sha256').update(xml).digest('hex'), bytes: xml.length } };
    assert.deepEqual(store.get(id), { ...start, params: stored, ...end, id, durationMs: 1234, startedAt: null, progress: null, seq: 1 });
  });

  test('finish stores a null result as null', () => {
    const store = newStore();
    const id = store.begin(auditStart());
    store.finish(id, auditEnd({ result: null }));
    assert.equal(store.get(id)?.result, null);
  });

  test('finish never overwrites a finished record', () => {
    const store = newStore();
    const id = store.begin(auditStart());
    store.finish(id, auditEnd());
    const first = store.get(id);
    assert.equal(store.finish(id, auditEnd({ outcome: 'failed', httpStatus: 500, finishedAt: 9e12 })), false);
    assert.deepEqual(store.get(id), first);
  });

  test('finish ignores an unknown id', () => {
    assert.equal(newStore().finish(404, auditEnd()), false);
  });

  test('get returns null for an unknown id', () => {
    assert.equal(newStore().get(404), null);
  });
});

describe('SqliteAuditStore.markInterrupted', () => {
  test('marks only pending records, and finish cannot revive them', () => {
    const store = newStore();
    const finished = store.begin(auditStart({ requestId: 'a' }));
    store.finish(finished, auditEnd());
    const pending = store.begin(auditStart({ requestId: 'b' }));
    const before = store.get(finished);

    assert.equal(store.markInterrupted(1_800_000_000_000), 1);
    assert.deepEqual(store.get(finished), before);
    assert.deepEqual(store.get(pending), {
      ...auditStart({ requestId: 'b' }), id: pending, finishedAt: 1_800_000_000_000, durationMs: null,
      outcome: 'interrupted', httpStatus: null, errorCode: INTERRUPTED_ERROR_CODE,
      errorMessage: INTERRUPTED_ERROR_MESSAGE, libvirtCode: null, result: null, startedAt: null, progress: null, seq: 2,
    });
    assert.equal(store.finish(pending, auditEnd()), false);
    assert.equal(store.markInterrupted(1_800_000_000_001), 0);
  });
});

/** 40 records cycling through domains, actions, actors and outcomes, one second apart. */
function seedHistory(store: SqliteAuditStore): AuditRecord[] {
  const outcomes: Exclude<AuditOutcome, 'pending' | 'running' | 'interrupted'>[] = ['succeeded', 'failed', 'rejected'];
  for (let i = 0; i < 40; i++) {
    const receivedAt = 1_000_000 + i * 1000;
    const id = store.begin(auditStart({
      requestId: `r${i}`, receivedAt, domain: i % 5 === 4 ? null : `vm${i % 2}`,
      action: ['start', 'shutdown', 'define'][i % 3] ?? 'start', actor: i % 4 === 0 ? 'ci' : 'ops',
    }));
    if (i % 7 !== 6) store.finish(id, auditEnd({ finishedAt: receivedAt + 10, outcome: outcomes[i % 3] ?? 'succeeded' }));
  }
  return store.query({ limit: MAX_PAGE_SIZE }).records;
}

/** What a query should return, worked out in JS from every record. */
function expectedIds(all: AuditRecord[], q: AuditQuery): number[] {
  return all
    .filter((r) => q.domain === undefined || r.domain === q.domain)
    .filter((r) => q.action === undefined || r.action === q.action)
    .filter((r) => q.outcome === undefined || r.outcome === q.outcome)
    .filter((r) => q.actor === undefined || r.actor === q.actor)
    .filter((r) => (q.since === undefined || r.receivedAt >= q.since) && (q.until === undefined || r.receivedAt <= q.until))
    .filter((r) => q.before === undefined || r.id < q.before)
    .map((r) => r.id)
    .sort((a, b) => b - a)
    .slice(0, q.limit);
}

describe('SqliteAuditStore.query filters', () => {
  const store = newStore();
  const all = seedHistory(store);
  const queries: Record<string, AuditQuery> = {
    'no filter': { limit: 100 },
    domain: { domain: 'vm1', limit: 100 },
    action: { action: 'define', limit: 100 },
    outcome: { outcome: 'pending', limit: 100 },
    actor: { actor: 'ci', limit: 100 },
    since: { since: 1_030_000, limit: 100 },
    until: { until: 1_004_000, limit: 100 },
    before: { before: 10, limit: 100 },
    'all combined': {
      domain: 'vm0', action: 'start', outcome: 'succeeded', actor: 'ops', since: 1_000_000, until: 1_036_000, before: 38, limit: 100,
    },
    'domain and outcome': { domain: 'vm0', outcome: 'failed', limit: 100 },
  };

  test('the seed covers every outcome the filters ask for', () => {
    assert.equal(all.length, 40);
    for (const outcome of ['succeeded', 'failed', 'rejected', 'pending'] as const) {
      assert.ok(all.some((r) => r.outcome === outcome), outcome);
    }
  });

  for (const [name, q] of Object.entries(queries)) {
    test(`${name}: newest first, only matching records`, () => {
      const ids = store.query(q).records.map((r) => r.id);
      assert.ok(ids.length > 0, 'the case should match something');
      assert.deepEqual(ids, expectedIds(all, q));
    });
  }

  test('since and until are inclusive', () => {
    const ids = store.query({ since: 1_010_000, until: 1_012_000, limit: 100 }).records.map((r) => r.receivedAt);
    assert.deepEqual(ids, [1_012_000, 1_011_000, 1_010_000]);
  });

  test('a filter value is bound, not spliced into the SQL', () => {
    assert.deepEqual(store.query({ domain: "vm0' OR '1'='1", limit: 100 }).records, []);
    assert.doesNotMatch(historyPageSql({ domain: "vm0' OR 1", limit: 5 }, 6).text, /vm0|6/);
  });

  test('each equality filter reads its own index', () => {
    const db = migratedMemoryDb();
    for (const column of ['domain', 'action', 'outcome', 'actor'] as const) {
      const { text, values } = historyPageSql({ [column]: 'x', limit: 10 }, 11);
      const plan = db.prepare(`EXPLAIN QUERY PLAN ${text}`).all(...values) as { detail: string }[];
      assert.deepEqual(plan.map((step) => step.detail), [`SEARCH audit USING INDEX audit_by_${column} (${column}=?)`]);
    }
  });
});

describe('SqliteAuditStore.query paging', () => {
  const beginMany = (store: SqliteAuditStore, count: number, domain = 'vm0') =>
    Array.from({ length: count }, (_, i) => store.begin(auditStart({ requestId: `r${i}`, domain })));

  test('25 records at 10 a page: 10, 10, 5, no duplicates, even as new records arrive', () => {
    const store = newStore();
    const original = beginMany(store, 25);
    const seen: number[] = [];
    const sizes: number[] = [];
    let cursor: number | undefined;
    do {
      const page = store.query({ limit: 10, ...(cursor === undefined ? {} : { before: cursor }) });
      sizes.push(page.records.length);
      seen.push(...page.records.map((r) => r.id));
      beginMany(store, 3); // arrive between pages; newer, so never on a later page
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    assert.deepEqual(sizes, [10, 10, 5]);
    assert.deepEqual(seen, [...original].reverse());
  });

  test('paging keeps the filters', () => {
    const store = newStore();
    const wanted = beginMany(store, 12, 'vm1');
    beginMany(store, 12, 'vm2');
    const first = store.query({ domain: 'vm1', limit: 8 });
    assert.ok(first.nextCursor !== null);
    const second = store.query({ domain: 'vm1', before: first.nextCursor, limit: 8 });
    assert.deepEqual([...first.records, ...second.records].map((r) => r.id), [...wanted].reverse());
    assert.equal(second.nextCursor, null);
  });

  test('a page that ends exactly at the last record has no cursor', () => {
    const store = newStore();
    beginMany(store, 10);
    const page = store.query({ limit: 10 });
    assert.equal(page.records.length, 10);
    assert.equal(page.nextCursor, null);
  });

  test('the limit is clamped to 1..500', () => {
    const store = newStore();
    beginMany(store, MAX_PAGE_SIZE + 5);
    for (const [limit, size] of [[0, 1], [-7, 1], [Number.NaN, 1], [2.9, 2], [1000, 500], [Infinity, 500]] as const) {
      const page = store.query({ limit });
      assert.equal(page.records.length, size, `limit ${limit}`);
      assert.equal(page.nextCursor, page.records.at(-1)?.id, `limit ${limit}`);
    }
  });
});
