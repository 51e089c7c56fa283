/**
 * GET /v1/events through the app, against libvirt's test driver: lifecycle events and audit
 * records as one JSON object each, filters by domain and type, resuming with Last-Event-ID, a gap
 * notice, auth, bad filters, keepalives, and the stream ending when the feed closes.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventFeed } from '../../src/events/feed.ts';
import { pumpEvents } from '../../src/http/sse.ts';
import { buildTestApp, type TestApp } from '../support/app.ts';
import { uniqueName } from '../support/guest.ts';
import { SseReader } from '../support/sse.ts';
import { assertError, call, removeDomain, testDomainXml } from '../support/http.ts';
import { QUIET } from '../support/inventory.ts';

async function open(t: TestApp, query = '', headers: Record<string, string> = {}): Promise<{ res: Response; sse: SseReader }> {
  const res = await t.app.request(`/v1/events${query}`, { headers });
  assert.equal(res.status, 200, res.status === 200 ? '' : await res.text());
  assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
  return { res, sse: new SseReader(res.body!) };
}

describe('GET /v1/events', () => {
  let t: TestApp;
  const name = uniqueName('ev');
  const other = uniqueName('ev-o');
  const act = (dom: string, action: string) => call(t, 'POST', `/v1/domains/${dom}/actions/${action}`);

  before(async () => {
    t = await buildTestApp({ background: QUIET });
    for (const n of [name, other]) assert.equal((await call(t, 'POST', '/v1/domains', { xml: testDomainXml(n) })).status, 201);
  });
  after(async () => {
    for (const n of [name, other]) await removeDomain(t, n);
    await t.close();
  });

  test('a lifecycle event and the audit record of the action that caused it, with ids', async () => {
    const { sse } = await open(t, `?domain=${name}`);
    try {
      const started = await act(name, 'start');
      assert.equal(started.status, 200, started.text);
      const life = await sse.waitFor((m) => m.data.type === 'lifecycle' && m.data.event === 'started');
      assert.deepEqual([life.data.domain, life.data.detail, life.data.state, typeof life.data.domainId], [name, 'booted', 'running', 'number']);
      assert.match(life.data.uuid, /^[0-9a-f-]{36}$/);
      assert.ok(!Number.isNaN(Date.parse(life.data.at)));
      const audit = await sse.waitFor((m) => m.data.type === 'audit');
      assert.deepEqual([audit.data.auditId, audit.data.action, audit.data.domain, audit.data.outcome, audit.data.httpStatus, audit.data.actor],
        [started.body.auditId, 'start', name, 'succeeded', 200, 'anonymous']);
      assert.equal(audit.data.result.state, 'running');
      assert.equal(audit.data.params, undefined, 'parameters (XML) stay in the audit log');
      assert.equal(life.id, life.data.id);
      assert.ok(sse.messages.every((m) => m.data.domain === name), 'filtered by domain');
    } finally {
      await sse.close();
    }
  });

  test('type filter; a failed action is an audit record too', async () => {
    const { sse } = await open(t, `?type=audit&domain=${name}`);
    try {
      const again = await act(name, 'start'); // it runs already: the test driver says so with a 502
      assert.ok(again.status >= 400, again.text);
      const audit = await sse.waitFor((m) => m.data.auditId === again.body.error.auditId);
      assert.deepEqual([audit.data.outcome, audit.data.errorCode, audit.data.httpStatus], ['failed', again.body.error.code, again.status]);
      await act(name, 'suspend');
      await sse.waitFor((m) => m.data.action === 'suspend');
      assert.ok(sse.messages.every((m) => m.data.type === 'audit'), JSON.stringify(sse.messages));
    } finally {
      await sse.close();
    }
  });

  test('Last-Event-ID resumes after that event; an unknown one gets a gap notice first', async () => {
    const first = await open(t, `?domain=${name}&type=lifecycle`);
    await act(name, 'resume');
    const resumed = await first.sse.waitFor((m) => m.data.event === 'resumed');
    await first.sse.close();
    await act(name, 'suspend');
    await act(name, 'resume');
    const again = await open(t, `?domain=${name}&type=lifecycle`, { 'Last-Event-ID': resumed.id! });
    try {
      await again.sse.waitFor((m) => m.data.event === 'resumed');
      assert.deepEqual(again.sse.messages.map((m) => m.data.event), ['suspended', 'resumed'], 'only what came after, in order');
    } finally {
      await again.sse.close();
    }
    const lost = await open(t, `?domain=${name}&type=lifecycle`, { 'Last-Event-ID': 'earlier-run-7' });
    try {
      const gap = await lost.sse.waitFor(() => true);
      assert.equal(gap.data.type, 'gap');
      assert.equal(gap.id, undefined);
      await lost.sse.waitFor((m) => m.data.event === 'resumed');
    } finally {
      await lost.sse.close();
    }
  });

  test('events of other domains pass a watcher of all, not one of a single domain', async () => {
    const all = await open(t, '?type=lifecycle');
    const mine = await open(t, `?type=lifecycle&domain=${name}`);
    try {
      await act(other, 'start');
      await all.sse.waitFor((m) => m.data.domain === other && m.data.event === 'started');
      await act(name, 'suspend');
      await mine.sse.waitFor((m) => m.data.event === 'suspended');
      assert.ok(!mine.sse.messages.some((m) => m.data.domain === other));
    } finally {
      await all.sse.close();
      await mine.sse.close();
    }
  });

  test('bad filters are 400 naming the field', async () => {
    assertError(await call(t, 'GET', '/v1/events?type=lifecycle,weather'), 400, 'VALIDATION_FAILED', 'type');
    assertError(await call(t, 'GET', '/v1/events?domain='), 400, 'VALIDATION_FAILED', 'domain');
    assertError(await call(t, 'GET', '/v1/events?colour=red'), 400, 'VALIDATION_FAILED', 'colour');
  });

  test('a viewer may watch; without a token it is 401', async () => {
    const secured = await buildTestApp({ withTokens: true, background: QUIET });
    try {
      assertError(await call(secured, 'GET', '/v1/events'), 401, 'UNAUTHENTICATED');
      const { sse } = await open(secured, '', { authorization: `Bearer ${secured.tokens.viewer}` });
      await sse.close();
    } finally {
      await secured.close();
    }
  });

  test('the stream ends when the feed closes (agent shutdown)', async () => {
    const closing = await buildTestApp({ background: QUIET });
    const { sse } = await open(closing);
    await closing.close(); // stops the background, which closes the feed
    await sse.waitEnded(5000);
  });
});

describe('pumpEvents', () => {
  test('sends a keepalive comment when idle, and ends for a client that falls a whole ring behind', async () => {
    const feed = new EventFeed(4, 'k');
    const writes: string[] = [];
    let release: () => void = () => {};
    let blocked = false;
    const stream = {
      aborted: false,
      onAbort: () => {},
      write: async (s: string) => { writes.push(s); },
      writeSSE: async (m: { data: string }) => {
        writes.push(m.data);
        if (blocked) await new Promise<void>((r) => { release = r; });
      },
    };
    const done = pumpEvents(stream as never, feed, { domain: null, types: new Set(['lifecycle']) }, undefined, 30);
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(writes.some((w) => w === ': keepalive\n\n'), JSON.stringify(writes));
    blocked = true;
    feed.publish('lifecycle', 'a', 1, {}); // the client stops reading here
    await new Promise((r) => setTimeout(r, 20));
    for (let i = 0; i < 6; i++) feed.publish('lifecycle', 'a', 1, {});
    release();
    await done; // ended: more than the ring's 4 events were waiting
    assert.equal(writes.filter((w) => w.startsWith('{')).length, 1, 'the six behind it were not sent');
  });
});
