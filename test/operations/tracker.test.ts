/**
 * The tracker of running operations over a real store: running and ended records, progress stored
 * and published at most once an interval, cancel verdicts, waiting for an end, the time limit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventFeed, type FeedEvent } from '../../src/events/feed.ts';
import { ANNOUNCE_AFTER_MS, Operations } from '../../src/operations/tracker.ts';
import { SqliteAuditStore } from '../../src/store/audit.ts';
import { Steps } from '../../src/guest/steps.ts';
import { auditEnd, auditStart, migratedMemoryDb } from '../support/store.ts';
import { sleep } from '../support/wait.ts';

function setup(o: { maxActionMs?: number; progressIntervalMs?: number } = {}) {
  const audit = new SqliteAuditStore(migratedMemoryDb());
  const feed = new EventFeed();
  const events: FeedEvent[] = [];
  feed.subscribe((e) => events.push(e));
  const ops = new Operations({ audit, feed, now: () => Date.now(), maxActionMs: o.maxActionMs ?? 60_000, progressIntervalMs: o.progressIntervalMs ?? 100 });
  const start = (cancelable = true) => {
    const id = audit.begin(auditStart({ action: 'shutdown' }));
    const record = { ...audit.get(id)!, outcome: 'running' as const, startedAt: Date.now() };
    return { id, handle: ops.begin({ record, role: 'operator', cancelable }) };
  };
  return { audit, ops, events, start };
}

test('a quick operation writes nothing and publishes only its end', () => {
  const { audit, ops, events, start } = setup();
  const { id } = start();
  assert.equal(audit.get(id)?.outcome, 'pending');
  assert.deepEqual(events, []);
  audit.finish(id, auditEnd({ startedAt: ops.startedAt(id) }));
  ops.end(id, audit.get(id));
  assert.equal(ops.live(id), undefined);
  assert.deepEqual(events.map((e) => [op(e).id, op(e).status]), [[id, 'succeeded']]);
  assert.ok(audit.get(id)!.startedAt! >= audit.get(id)!.receivedAt, 'its start time is kept at the end');
});

test('an operation still running after a moment is announced: marked running and published once', async () => {
  const { audit, ops, events, start } = setup();
  const { id } = start();
  await sleep(ANNOUNCE_AFTER_MS + 100);
  assert.equal(audit.get(id)?.outcome, 'running');
  assert.deepEqual(events.map((e) => [op(e).id, op(e).status]), [[id, 'running']]);
  ops.announce(id);
  assert.equal(events.length, 1, 'announced once');
});

test('progress is stored and published at most once per interval, the latest one last', async () => {
  const { audit, events, start } = setup({ progressIntervalMs: 100 });
  const { id, handle } = start();
  for (let i = 1; i <= 50; i++) handle.report({ step: i });
  assert.deepEqual(audit.get(id)?.progress, { step: 1 }, 'the first report goes at once');
  await sleep(150);
  assert.deepEqual(audit.get(id)?.progress, { step: 50 }, 'the latest one follows within the interval');
  const published = events.filter((e) => op(e).progress !== null);
  assert.deepEqual(published.map((e) => (op(e).progress as { step: number }).step), [1, 50]);
});

test('cancel: aborts a cancelable operation with the reason, refuses one that is not, and knows ended ones', async () => {
  const { ops, start } = setup();
  const a = start(true);
  const b = start(false);
  assert.equal(ops.cancel(a.id, 'alice'), 'canceling');
  assert.equal(a.handle.signal.aborted, true);
  assert.match((a.handle.signal.reason as Error).message, /canceled by alice/);
  assert.equal(ops.cancel(b.id, 'alice'), 'not-cancelable');
  assert.equal(b.handle.signal.aborted, false);
  assert.equal(ops.cancel(987654, 'alice'), 'not-running');
});

test('waitEnd resolves true at the end, false when the wait passes first, at once for what is not running', async () => {
  const { audit, ops, start } = setup();
  const { id } = start();
  assert.equal(await ops.waitEnd(id, 30), false);
  const waiting = ops.waitEnd(id, 5_000);
  setTimeout(() => ops.end(id, audit.get(id)), 20);
  assert.equal(await waiting, true);
  assert.equal(await ops.waitEnd(id, 5_000), true);
});

test('an operation that outlives the action time limit is aborted, saying so', async () => {
  const { start } = setup({ maxActionMs: 50 });
  const { handle } = start(false);
  await sleep(120);
  assert.equal(handle.signal.aborted, true, 'even a non-cancelable one: its next await sees it');
  assert.match((handle.signal.reason as Error).message, /action time limit \(0 s\)|action time limit/);
});

test('steps stop before the next step once canceled, undo what was done, and report each step', async () => {
  const controller = new AbortController();
  const reported: Array<{ step: number; of: number; current: string }> = [];
  const steps = new Steps({ total: 3, signal: controller.signal, report: (p) => reported.push(p) });
  const undone: string[] = [];
  await steps.run('one', async () => 1, { what: 'one undone', run: async () => { undone.push('one'); } });
  controller.abort(new Error('canceled by bob'));
  await assert.rejects(steps.run('two', async () => 2), /canceled by bob/);
  await steps.rollback();
  assert.deepEqual(undone, ['one']);
  assert.deepEqual(steps.record(), { steps: ['one'], undone: ['one undone'] });
  assert.deepEqual(reported.map((r) => [r.step, r.of, r.current]), [[1, 3, 'one']]);
});

/** The operation an `operation` event carries. */
function op(e: { data: Record<string, unknown> }): { id: number; status: string; progress: Record<string, unknown> | null } {
  return e.data.operation as { id: number; status: string; progress: Record<string, unknown> | null };
}
