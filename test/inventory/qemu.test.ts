/**
 * A real QEMU guest started and destroyed through libvirt directly (not through the agent): each
 * lifecycle event reaches the cached view and the SSE stream at once, and the timeline records
 * the changes with the events as their cause. The latencies are measured and printed.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { StateChange } from '../../src/model/inventory.ts';
import type { DomainRef } from '../../src/libvirt/index.ts';
import { buildTestApp, type TestApp } from '../support/app.ts';
import { tinyGuestXml, uniqueName } from '../support/guest.ts';
import { QUIET } from '../support/inventory.ts';
import { waitUntil } from '../support/wait.ts';
import { SseReader } from '../support/sse.ts';
import { call, removeDomain } from '../support/http.ts';

/** Generous: the machine is shared; the measured figures are printed. */
const BOUND_MS = 5_000;

describe('QEMU guest events reach the cached view and the event stream', () => {
  let t: TestApp;
  let sse: SseReader;
  let dom: DomainRef;
  const name = uniqueName('invq');
  const changes: Array<StateChange & { seenAt: number }> = [];

  before(async () => {
    t = await buildTestApp({ uriVar: 'GVH_A_URI', background: QUIET });
    t.deps.inventory.view.onStateChange((c) => { if (c.domain === name) changes.push({ ...c, seenAt: performance.now() }); });
    dom = await t.deps.libvirt.defineXml(tinyGuestXml(name));
    await waitUntil(() => t.deps.inventory.view.get(name) !== undefined, BOUND_MS);
    const res = await t.app.request(`/v1/events?domain=${name}&type=lifecycle`);
    assert.equal(res.status, 200);
    sse = new SseReader(res.body!);
  });
  after(async () => {
    await sse.close();
    await removeDomain(t, name);
    await t.close();
  });

  /** Runs a libvirt call and measures when the view and the stream saw the event `event`. */
  async function measure(label: string, act: () => Promise<unknown>, event: string, state: string, ctx: { diagnostic(m: string): void }): Promise<void> {
    const seen = changes.length;
    const began = performance.now();
    await act();
    const returned = performance.now();
    await waitUntil(() => changes.length > seen && changes.at(-1)!.to === state, BOUND_MS);
    const msg = await sse.waitFor((m) => m.data.event === event, BOUND_MS);
    const view = changes.at(-1)!.seenAt;
    const cached = await call(t, 'GET', `/v1/domains/${name}?source=cached`);
    assert.equal(cached.body.state, state);
    assert.equal(msg.data.state, state);
    ctx.diagnostic(`${label}: libvirt call ${(returned - began).toFixed(1)} ms; view changed ${(view - began).toFixed(1)} ms and the SSE event arrived `
      + `${(msg.arrivedAt - began).toFixed(1)} ms after the call began (${(msg.arrivedAt - returned).toFixed(1)} ms after it returned)`);
    assert.ok(msg.arrivedAt - returned < BOUND_MS && view - returned < BOUND_MS);
  }

  test('start: the view says running (booted, with the new id) and the stream says started', async (ctx) => {
    await measure('start', async () => { dom = await t.deps.libvirt.start(dom); }, 'started', 'running', ctx);
    const entry = t.deps.inventory.view.get(name)!;
    assert.deepEqual([entry.view.reasonText, entry.view.domain.id], ['booted', dom.id]);
    const seed = await call(t, 'GET', '/?target=vm&source=cached');
    assert.equal(seed.body.domains.find((d: any) => d.domain.Name === name)?.domain.ID, dom.id);
  });

  test('destroy: the view says shut off (destroyed, id -1) and the stream says stopped', async (ctx) => {
    await measure('destroy', () => t.deps.libvirt.destroy(dom), 'stopped', 'shut off', ctx);
    const entry = t.deps.inventory.view.get(name)!;
    assert.deepEqual([entry.view.reasonText, entry.view.domain.id], ['destroyed', -1]);
  });

  test('the timeline has both changes, caused by the events (no agent action was involved)', async () => {
    const tl = await call(t, 'GET', `/v1/domains/${name}/timeline`);
    const steps = tl.body.changes.reverse().map((c: any) => [c.from, c.to, c.reason, c.cause.type, c.cause.event]);
    assert.deepEqual(steps.slice(-2), [
      ['shut off', 'running', 'booted', 'event', 'started/booted'],
      ['running', 'shut off', 'destroyed', 'event', 'stopped/destroyed'],
    ]);
  });
});
