/**
 * The private libvirtd frozen, then killed and restarted, under the agent: default reads fall back
 * to the inventory view (and say so in their headers), reads that asked for fresh data fail,
 * snapshot runs are stored as failed; after the restart the client reconnects, a catch-up snapshot
 * records what changed while libvirt was away, and events flow again.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, type TestApp } from '../support/app.ts';
import { tinyGuestXml, uniqueName } from '../support/guest.ts';
import { hostsCommand } from '../support/hosts.ts';
import { QUIET, countLibvirtCalls } from '../support/inventory.ts';
import { waitUntil } from '../support/wait.ts';
import { SseReader } from '../support/sse.ts';
import { assertError, call, removeDomain, testDomainXml, type Answer } from '../support/http.ts';

const READ_TIMEOUT_MS = 500;

function assertCached(a: Answer, takenAt: number): void {
  assert.equal(a.status, 200, a.text);
  assert.equal(a.headers.get('x-data-source'), 'cached');
  assert.ok(Number(a.headers.get('age')) >= Math.floor((Date.now() - takenAt) / 1000) - 1);
  assert.ok(Date.parse(a.headers.get('last-modified') ?? '') > 0);
}

describe('libvirt unreachable or slow', () => {
  let q: TestApp; // QEMU driver
  let td: TestApp; // test driver: its domains live in the daemon's memory and vanish with it
  const guest = uniqueName('fb');
  const ephemeral = uniqueName('fb-t');
  let stoppedPid = 0;

  before(async () => {
    q = await buildTestApp({ uriVar: 'GVH_A_URI', background: QUIET, settings: { readTimeoutMs: READ_TIMEOUT_MS } });
    td = await buildTestApp({ background: QUIET });
    await q.deps.libvirt.defineXml(tinyGuestXml(guest));
    assert.equal((await call(td, 'POST', '/v1/domains', { xml: testDomainXml(ephemeral) })).status, 201);
    assert.equal((await call(td, 'POST', '/v1/domains/test/actions/suspend')).status, 200);
    for (const app of [q, td]) assert.ok((await app.background!.snapshots.runNow()).ok);
  });
  after(async () => {
    try {
      if (stoppedPid) process.kill(stoppedPid, 'SIGCONT');
      await hostsCommand('start-daemon', 'a'); // does nothing when it runs
      await q.deps.libvirt.waitConnected(30_000);
      await removeDomain(q, guest);
      await call(td, 'POST', '/v1/domains/test/actions/resume');
      await removeDomain(td, ephemeral);
    } finally {
      await q.close();
      await td.close();
    }
  });

  test('a frozen libvirtd: a default read answers from the view after the read timeout', async (ctx) => {
    stoppedPid = Number(await hostsCommand('daemon-pid', 'a'));
    process.kill(stoppedPid, 'SIGSTOP');
    try {
      const t0 = performance.now();
      const a = await call(q, 'GET', '/v1/domains');
      const ms = performance.now() - t0;
      assertCached(a, q.deps.inventory.view.takenAt!);
      assert.ok(a.body.domains.some((d: any) => d.name === guest));
      assert.ok(ms >= READ_TIMEOUT_MS - 50 && ms < 10_000, `answered after ${ms} ms`);
      ctx.diagnostic(`fallback answer after ${ms.toFixed(0)} ms (read timeout ${READ_TIMEOUT_MS} ms)`);
      const seed = await call(q, 'GET', '/?target=vm');
      assert.equal(seed.headers.get('x-data-source'), 'cached');
    } finally {
      process.kill(stoppedPid, 'SIGCONT');
      stoppedPid = 0;
    }
  });

  test('a killed libvirtd: default reads are cached at once, fresh ones fail, snapshot runs are stored as failed', async () => {
    const seedBefore = (await call(q, 'GET', '/?target=vm&source=cached')).text;
    await hostsCommand('kill-daemon', 'a');
    await waitUntil(() => q.deps.libvirt.state !== 'connected' && td.deps.libvirt.state !== 'connected', 10_000);
    const takenAt = q.deps.inventory.view.takenAt!;
    for (const path of ['/v1/domains', `/v1/domains/${guest}`, '/v1/host', '/?target=vm', '/?target=metal&source=cached']) assertCached(await call(q, 'GET', path), takenAt);
    assert.equal((await call(q, 'GET', '/?target=metal')).headers.get('x-data-source'), 'fresh', 'metal comes from /proc, not libvirt');
    const seed = await call(q, 'GET', '/?target=vm');
    assert.equal(seed.text, seedBefore, 'the same bytes as before libvirt went away');
    const rest = await call(q, 'GET', '/v1/domains');
    assert.deepEqual([rest.body.source, rest.body.takenAt], ['cached', new Date(takenAt).toISOString()]);
    assertError(await call(q, 'GET', '/v1/domains?source=fresh'), 503, 'LIBVIRT_UNAVAILABLE');
    assertError(await call(q, 'GET', '/v1/domains', undefined, { 'cache-control': 'no-cache' }), 503, 'LIBVIRT_UNAVAILABLE');
    assertCached(await call(q, 'GET', '/v1/domains', undefined, { 'cache-control': 'max-age=1' }), takenAt);
    assertError(await call(q, 'GET', `/v1/domains/${guest}/xml`), 503, 'LIBVIRT_UNAVAILABLE');
    const calls = countLibvirtCalls(q);
    for (const path of ['/v1/domains?source=cached', '/?target=vm&source=cached']) assertCached(await call(q, 'GET', path), takenAt);
    assert.equal(calls(), 0, 'an answer asked to be cached does not even try libvirt');
    const run = await q.background!.snapshots.runNow();
    assert.equal(run.ok, false);
    const failed = await call(q, 'GET', '/v1/snapshots?limit=1');
    assert.deepEqual([failed.body.snapshots[0].ok, failed.body.snapshots[0].host], [false, null]);
    assert.match(failed.body.snapshots[0].error, /not connected/);
  });

  test('after the restart: reconnected, a catch-up snapshot records what changed meanwhile, and events flow again', async (ctx) => {
    const before = { q: q.deps.inventory.view.takenAt!, td: td.deps.inventory.view.takenAt! };
    const restartedAt = performance.now();
    await hostsCommand('start-daemon', 'a');
    await Promise.all([q.deps.libvirt.waitConnected(30_000), td.deps.libvirt.waitConnected(30_000)]);
    await waitUntil(() => (td.deps.inventory.view.takenAt ?? 0) > before.td && (q.deps.inventory.view.takenAt ?? 0) > before.q, 15_000);
    ctx.diagnostic(`reconnected and caught up ${(performance.now() - restartedAt).toFixed(0)} ms after the daemon restart`);
    // The test driver forgot everything: the catch-up snapshot finds its domain gone and 'test' running again.
    assert.equal(td.deps.inventory.view.get(ephemeral), undefined);
    assert.equal(td.deps.inventory.view.get('test')?.view.stateText, 'running');
    // A change a snapshot finds is recorded once no event has explained it for a grace period.
    const newest = async (dom: string) => (await call(td, 'GET', `/v1/domains/${dom}/timeline`)).body.changes[0];
    await waitUntil(async () => (await newest(ephemeral))?.to === 'undefined' && (await newest('test'))?.to === 'running', 10_000);
    const gone = await newest(ephemeral);
    assert.deepEqual([gone.from, gone.to, gone.cause], ['shut off', 'undefined', { type: 'snapshot' }]);
    const test0 = await newest('test');
    assert.deepEqual([test0.from, test0.to, test0.cause], ['paused', 'running', { type: 'snapshot' }]);
    assert.equal((await call(q, 'GET', '/v1/domains')).headers.get('x-data-source'), 'fresh');

    const res = await q.app.request(`/v1/events?domain=${guest}`);
    const sse = new SseReader(res.body!);
    const causes: string[] = [];
    const off = q.deps.inventory.view.onStateChange((c) => { if (c.domain === guest) causes.push(c.cause.type === 'event' ? c.cause.event : 'snapshot'); });
    try {
      await q.deps.libvirt.start(await q.deps.libvirt.lookupDomain(guest));
      await sse.waitFor((m) => m.data.event === 'started', 10_000);
      assert.equal(q.deps.inventory.view.get(guest)?.view.stateText, 'running');
      assert.deepEqual(causes, ['started/booted'], 'the event (re-subscribed), not a snapshot, updated the view');
    } finally {
      off();
      await sse.close();
    }
  });
});
