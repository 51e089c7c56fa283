/**
 * Operations over REST: Prefer: respond-async, following and long-polling, listing with filters,
 * cancel (and its refusals), progress on the event feed; on the test driver for the quick actions
 * and on a real QEMU guest (one that ignores ACPI) for a shutdown that waits.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, type TestApp } from '../support/app.ts';
import { tinyGuestXml, uniqueName } from '../support/guest.ts';
import { assertError, call, oneAudit, removeDomain } from '../support/http.ts';
import type { FeedEvent } from '../../src/events/feed.ts';

const ASYNC = { prefer: 'respond-async' };

describe('operations on the test driver', () => {
  let t: TestApp;
  const as = (role: 'viewer' | 'operator') => ({ authorization: `Bearer ${t.tokens[role]}` });
  before(async () => { t = await buildTestApp({ withTokens: true }); });
  after(async () => { await t.close(); });

  test('respond-async answers 202 with Location and the operation; ?wait follows it to its end', async () => {
    await call(t, 'POST', '/v1/domains/test/actions/destroy', undefined, as('operator'));
    const a = await call(t, 'POST', '/v1/domains/test/actions/start', undefined, { ...ASYNC, ...as('operator') });
    assert.equal(a.status, 202, a.text);
    assert.equal(a.headers.get('location'), `/v1/operations/${a.body.id}`);
    assert.equal(a.headers.get('preference-applied'), 'respond-async');
    assert.deepEqual([a.body.action, a.body.domain, a.body.actor, a.body.location], ['start', 'test', 'test-operator', `/v1/operations/${a.body.id}`]);
    assert.ok(['running', 'succeeded'].includes(a.body.status), a.body.status);
    const done = await call(t, 'GET', `/v1/operations/${a.body.id}?wait=5`, undefined, as('viewer'));
    assert.equal(done.status, 200, done.text);
    assert.deepEqual([done.body.status, done.body.result?.state, done.body.error, done.body.cancelable], ['succeeded', 'running', null, false]);
    assert.ok(Date.parse(done.body.finishedAt) >= Date.parse(done.body.startedAt));
  });

  test('without the preference the answer is the action\'s own; the list filters by status, domain and action', async () => {
    const a = await call(t, 'POST', '/v1/domains/test/actions/suspend', undefined, as('operator'));
    assert.equal(a.status, 200, a.text);
    await call(t, 'POST', '/v1/domains/test/actions/resume', undefined, as('operator'));
    const viewer = as('viewer');
    const list = await call(t, 'GET', '/v1/operations?action=suspend&domain=test&status=succeeded', undefined, viewer);
    assert.equal(list.status, 200, list.text);
    assert.ok(list.body.operations.length >= 1);
    assert.ok(list.body.operations.every((o: { action: string; status: string }) => o.action === 'suspend' && o.status === 'succeeded'));
    assert.equal(list.body.operations[0].id, a.body.auditId);
    const running = await call(t, 'GET', '/v1/operations?status=running', undefined, viewer);
    assert.deepEqual(running.body.operations, []);
    // Reads are not operations, and refusals are listed only when asked for.
    await call(t, 'POST', '/v1/domains/test/actions/start', undefined, as('viewer'));
    const all = await call(t, 'GET', '/v1/operations?limit=500', undefined, viewer);
    assert.ok(all.body.operations.every((o: { status: string }) => o.status !== 'rejected'));
    const refused = await call(t, 'GET', '/v1/operations?status=rejected', undefined, viewer);
    assert.equal(refused.body.operations[0].error.code, 'FORBIDDEN');
    assertError(await call(t, 'GET', '/v1/operations?status=sleeping', undefined, viewer), 400, 'VALIDATION_FAILED', 'status');
  });

  test('cancel refuses what it cannot: an ended operation 409, an unknown or non-operation id 404, a viewer 403', async () => {
    const a = await call(t, 'POST', '/v1/domains/test/actions/suspend', undefined, as('operator'));
    const op = as('operator');
    assertError(await call(t, 'DELETE', `/v1/operations/${a.body.auditId}`, undefined, op), 409, 'OPERATION_ENDED', 'id');
    assertError(await call(t, 'DELETE', '/v1/operations/999999999', undefined, op), 404, 'NOT_FOUND', 'id');
    assertError(await call(t, 'DELETE', '/v1/operations/abc', undefined, op), 400, 'VALIDATION_FAILED', 'id');
    assertError(await call(t, 'DELETE', `/v1/operations/${a.body.auditId}`, undefined, as('viewer')), 403, 'FORBIDDEN');
    const cancelRecord = await call(t, 'GET', '/v1/history?action=operation-cancel&limit=1', undefined, as('viewer'));
    assert.equal(cancelRecord.body.records[0].outcome, 'rejected', 'the refused cancel is audited');
    await call(t, 'POST', '/v1/domains/test/actions/resume', undefined, op);
  });

  test('?wait is validated and bounded', async () => {
    const viewer = as('viewer');
    assertError(await call(t, 'GET', '/v1/operations/1?wait=-1', undefined, viewer), 400, 'VALIDATION_FAILED', 'wait');
    assertError(await call(t, 'GET', '/v1/operations/1?wait=99999', undefined, viewer), 400, 'VALIDATION_FAILED', 'wait');
  });
});

describe('operations on a real QEMU guest that ignores ACPI', () => {
  let q: TestApp;
  const name = uniqueName('ops-q');
  const act = (app: TestApp, action: string, body?: unknown, headers: Record<string, string> = {}) =>
    call(app, 'POST', `/v1/domains/${name}/actions/${action}`, body, headers);

  before(async () => {
    q = await buildTestApp({ uriVar: 'GVH_A_URI', settings: { requestTimeoutMs: 1500 }, progressIntervalMs: 200 });
    const made = await call(q, 'POST', '/v1/domains', { xml: tinyGuestXml(name), start: true });
    assert.equal(made.status, 201, made.text);
  });
  after(async () => {
    await removeDomain(q, name);
    await q.close();
  });

  test('shutdown wait 120 under respond-async: 202, running with remaining seconds, canceled within a second of DELETE, the guest untouched', async () => {
    const events: FeedEvent[] = [];
    const off = q.deps.feed.subscribe((e) => { if (e.type === 'operation') events.push(e); });
    try {
      const a = await act(q, 'shutdown', { wait: 120 }, ASYNC);
      assert.equal(a.status, 202, a.text);
      assert.deepEqual([a.body.status, a.body.cancelable], ['running', true]);
      await new Promise((resolve) => setTimeout(resolve, 1300));
      const seen = await call(q, 'GET', a.headers.get('location')!);
      assert.equal(seen.body.status, 'running');
      assert.ok(seen.body.progress.waitedSeconds >= 1 && seen.body.progress.remainingSeconds <= 119, JSON.stringify(seen.body.progress));
      const t0 = performance.now();
      const canceled = await call(q, 'DELETE', a.headers.get('location')!);
      assert.equal(canceled.status, 202, canceled.text);
      assert.ok(performance.now() - t0 < 1000, 'ended within a second');
      assert.deepEqual([canceled.body.status, canceled.body.error?.code], ['canceled', 'OPERATION_CANCELED']);
      assert.equal(canceled.body.result?.state, 'running', 'the guest is untouched');
      const state = await q.deps.libvirt.domainState(await q.deps.libvirt.lookupDomain(name));
      assert.equal(state.stateText, 'running');
      const rec = q.deps.audit.get(a.body.id)!;
      assert.deepEqual([rec.outcome, rec.errorCode, rec.result?.shutdown], ['canceled', 'OPERATION_CANCELED', 'canceled']);
      assert.match(rec.errorMessage ?? '', /canceled by anonymous/);
      const cancel = oneAudit(q, auditRequestOf(q, 'operation-cancel'));
      assert.deepEqual([cancel.outcome, cancel.result?.operation], ['succeeded', a.body.id]);
      const mine = events.filter((e) => op(e).id === a.body.id);
      assert.ok(mine.some((e) => op(e).status === 'running' && typeof (op(e).progress as Record<string, number> | null)?.remainingSeconds === 'number'), 'progress on the feed');
      assert.equal(op(mine.at(-1)!).status, 'canceled', 'the end on the feed');
    } finally {
      off();
    }
  });

  test('a synchronous shutdown outliving the request timeout answers 202, not 504, and ends forced with the guest shut off', async () => {
    const a = await act(q, 'shutdown', { wait: 3, force: true });
    assert.equal(a.status, 202, a.text);
    const done = await call(q, 'GET', `${a.headers.get('location')}?wait=5`);
    assert.deepEqual([done.body.status, done.body.result?.shutdown, done.body.result?.state], ['succeeded', 'forced', 'shut off']);
  });
});

/** The request id of the newest record of `action`. */
function auditRequestOf(t: TestApp, action: string): string {
  return t.deps.audit.query({ action, limit: 1 }).records[0]!.requestId;
}

/** The operation an `operation` event carries. */
function op(e: { data: Record<string, unknown> }): { id: number; status: string; progress: Record<string, unknown> | null } {
  return e.data.operation as { id: number; status: string; progress: Record<string, unknown> | null };
}
