/**
 * Fresh or cached reads through the app, against libvirt's test driver: chosen by `source` (query
 * string and seed body) and by Cache-Control; the headers and REST fields that say which; cached
 * answers that never call libvirt and keep the seed's bytes; snapshots and the state timeline.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { buildTestApp, type TestApp } from '../support/app.ts';
import { uniqueName } from '../support/guest.ts';
import { QUIET, countLibvirtCalls } from '../support/inventory.ts';
import { waitUntil } from '../support/wait.ts';
import { assertError, call, goPayload, removeDomain, testDomainXml, type Answer } from '../support/http.ts';
import { sleep } from '../support/wait.ts';

const METAL_KEYS = /^\{"hostmemoryInfo":\{"Uptime":\d+,"Loads":\[[\d.]+,[\d.]+,[\d.]+\],"Procs":\d+,"TotalRam":\d+,"FreeRam":\d+,"SharedRam":\d+,"BufferRam":\d+,"TotalSwap":\d+,"FreeSwap":\d+,"TotalHighRam":\d+,"FreeHighRam":\d+\}\}$/;

function assertOrigin(a: Answer, source: 'fresh' | 'cached', takenAt?: number): void {
  assert.equal(a.status, 200, a.text);
  assert.equal(a.headers.get('x-data-source'), source, a.text);
  const age = Number(a.headers.get('age'));
  assert.ok(Number.isInteger(age) && age >= 0, `Age ${a.headers.get('age')}`);
  const modified = Date.parse(a.headers.get('last-modified') ?? '');
  assert.ok(Number.isFinite(modified), `Last-Modified ${a.headers.get('last-modified')}`);
  if (takenAt !== undefined) assert.equal(age, Math.floor((Date.now() - takenAt) / 1000));
  if (source === 'fresh') assert.equal(age, 0);
}

/** One request over a real socket (a GET with a body, as Go sends it, cannot go through app.request). */
function httpCall(port: number, method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const length = body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) };
    const req = http.request({ host: '127.0.0.1', port, method, path, headers: { ...headers, ...length } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { text += d; });
      res.on('end', () => {
        let parsed: unknown = null;
        try { parsed = JSON.parse(text); } catch { /* not JSON */ }
        resolve({ status: res.statusCode ?? 0, headers: new Headers(res.headers as Record<string, string>), text, body: parsed });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('fresh or cached reads', () => {
  let t: TestApp;
  let server: ServerType;
  let calls: () => number;
  let takenAt: number;
  const name = uniqueName('inv');
  const seedGet = (path: string, body: string, headers: Record<string, string> = {}) =>
    httpCall((server.address() as AddressInfo).port, 'GET', path, body, headers);

  before(async () => {
    t = await buildTestApp({ background: QUIET });
    await new Promise<void>((resolve) => { server = serve({ fetch: t.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve()); });
    assert.equal((await call(t, 'POST', '/v1/domains', { xml: testDomainXml(name) })).status, 201);
    const run = await t.background!.snapshots.runNow();
    assert.ok(run.ok, JSON.stringify(run));
    takenAt = t.deps.inventory.view.takenAt!;
    calls = countLibvirtCalls(t);
    await sleep(20); // so that max-age=0 finds the snapshot too old
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await removeDomain(t, name);
    await t.close();
  });

  test('default: fresh, with the headers and REST fields that say so', async () => {
    const a = await call(t, 'GET', '/v1/domains');
    assertOrigin(a, 'fresh');
    assert.equal(a.body.source, 'fresh');
    assert.ok(Math.abs(Date.parse(a.body.takenAt) - Date.now()) < 5000);
    assertOrigin(await call(t, 'GET', '/?target=vm'), 'fresh');
  });

  test('?source=cached on every inventory read: no libvirt call, the snapshot time, Age and Last-Modified', async () => {
    const before = calls();
    for (const path of ['/v1/domains', `/v1/domains/${name}`, '/v1/host', '/?target=vm', '/?target=metal']) {
      const a = await call(t, 'GET', `${path}${path.includes('?') ? '&' : '?'}source=cached`);
      assertOrigin(a, 'cached', takenAt);
      assert.equal(new Date(a.headers.get('last-modified')!).getTime(), Math.floor(t.deps.inventory.view.modifiedAt! / 1000) * 1000);
      if (path.startsWith('/v1')) assert.deepEqual([a.body.source, a.body.takenAt], ['cached', new Date(takenAt).toISOString()], path);
    }
    assert.equal(calls(), before, 'a cached answer never touches libvirt');
  });

  test('REST cached bodies have the fresh shape; an unknown domain is 404 from the view too', async () => {
    const fresh = await call(t, 'GET', `/v1/domains/${name}?source=fresh`);
    const cached = await call(t, 'GET', `/v1/domains/${name}?source=cached`);
    assert.deepEqual(Object.keys(cached.body), Object.keys(fresh.body));
    for (const k of ['name', 'uuid', 'id', 'state', 'reason', 'active', 'persistent', 'autostart', 'vcpus', 'memoryKiB']) assert.deepEqual(cached.body[k], fresh.body[k], k);
    assertError(await call(t, 'GET', '/v1/domains/no-such-domain?source=cached'), 404, 'NOT_FOUND', 'domain');
    const host = await call(t, 'GET', '/v1/host?source=cached');
    assert.deepEqual(Object.keys(host.body).sort(), ['libvirt', 'node', 'source', 'sysinfo', 'takenAt']);
    assert.equal(host.body.libvirt.hostname, 'gvh-a');
  });

  test('the seed shapes stay byte for byte: cached vm equals fresh vm; metal has the same keys in the same order', async () => {
    const fresh = await seedGet('/', JSON.stringify({ target: 'vm', domain: '' }));
    const cached = await seedGet('/', JSON.stringify({ target: 'vm', domain: '', source: 'cached' }));
    assert.equal(cached.headers.get('x-data-source'), 'cached');
    assert.equal(cached.text, fresh.text);
    assert.match((await seedGet('/', JSON.stringify({ target: 'metal', source: 'cached' }))).text, METAL_KEYS);
    assert.match((await seedGet('/', JSON.stringify({ target: 'metal' }))).text, METAL_KEYS);
  });

  test('the seed GET body and query string take "source"; a Go zero value means not given', async () => {
    assertOrigin(await seedGet('/', JSON.stringify({ target: 'vm', domain: '', source: 'fresh' })), 'fresh');
    assertOrigin(await seedGet('/', JSON.stringify({ target: 'vm', domain: '', source: '' })), 'fresh');
    assertOrigin(await seedGet('/', JSON.stringify({ target: 'vm', source: null })), 'fresh');
    assertOrigin(await call(t, 'GET', '/?target=vm&source=cached'), 'cached');
    assertOrigin(await seedGet('/?source=cached', JSON.stringify({ target: 'vm' })), 'cached', takenAt);
  });

  test('Cache-Control: no-cache is fresh; max-age=N is cached when the snapshot is young enough, else fresh', async () => {
    const before = calls();
    assertOrigin(await call(t, 'GET', '/v1/domains', undefined, { 'cache-control': 'max-age=3600' }), 'cached', takenAt);
    assertOrigin(await seedGet('/', JSON.stringify({ target: 'vm' }), { 'cache-control': 'max-age=3600' }), 'cached');
    assert.equal(calls(), before);
    assertOrigin(await call(t, 'GET', '/v1/domains', undefined, { 'cache-control': 'max-age=0' }), 'fresh');
    assertOrigin(await call(t, 'GET', '/v1/host', undefined, { 'cache-control': 'no-cache' }), 'fresh');
    assertOrigin(await call(t, 'GET', '/v1/domains?source=cached', undefined, { 'cache-control': 'no-cache' }), 'cached', takenAt);
    assert.ok(calls() > before, 'fresh answers asked libvirt');
  });

  test('a bad source is 400 naming the field; XML is never cached', async () => {
    assertError(await call(t, 'GET', '/v1/domains?source=stale'), 400, 'VALIDATION_FAILED', 'source');
    assertError(await seedGet('/', JSON.stringify({ target: 'vm', source: 'old' })), 400, 'VALIDATION_FAILED', 'source');
    assertError(await seedGet('/', JSON.stringify({ target: 'vm', source: 1 })), 400, 'VALIDATION_FAILED', 'source');
    assertError(await seedGet('/', JSON.stringify({ target: 'xml', domain: name, source: 'cached' })), 400, 'VALIDATION_FAILED', 'source');
    assertError(await call(t, 'GET', `/v1/domains/${name}/xml?source=cached`), 400, 'VALIDATION_FAILED', 'source');
    const xml = await call(t, 'GET', `/v1/domains/${name}/xml`);
    assertOrigin(xml, 'fresh');
  });

  test('an event changes the cached answer at once, before any snapshot', async () => {
    const before = t.deps.inventory.view.takenAt;
    const dom = await t.deps.libvirt.lookupDomain(name);
    await t.deps.libvirt.start(dom);
    await waitUntil(async () => (await call(t, 'GET', `/v1/domains/${name}?source=cached`)).body.state === 'running', 5000);
    assert.equal(t.deps.inventory.view.takenAt, before, 'the event, not a snapshot, changed it');
    const a = await call(t, 'GET', `/v1/domains/${name}?source=cached`);
    assert.ok(Date.parse(a.headers.get('last-modified')!) >= Math.floor(before! / 1000) * 1000);
    await t.deps.libvirt.destroy(await t.deps.libvirt.lookupDomain(name));
    await waitUntil(async () => (await call(t, 'GET', `/v1/domains/${name}?source=cached`)).body.state === 'shut off', 5000);
  });

  test('with no snapshot yet, a cached read is 503 and a default read is fresh', async () => {
    const bare = await buildTestApp();
    try {
      assertError(await call(bare, 'GET', '/v1/domains?source=cached'), 503, 'LIBVIRT_UNAVAILABLE');
      assertOrigin(await call(bare, 'GET', '/v1/domains'), 'fresh');
    } finally {
      await bare.close();
    }
  });

  test('audited reads record where the answer came from', async () => {
    const audited = await buildTestApp({ background: QUIET, settings: { auditReads: true } });
    try {
      await audited.background!.snapshots.runNow();
      const a = await call(audited, 'GET', '/v1/domains?source=cached');
      const b = await call(audited, 'GET', '/v1/domains');
      const results = audited.deps.audit.query({ limit: 10, action: 'list-domains' }).records.map((r) => r.result?.source);
      assert.deepEqual([a.status, b.status, results], [200, 200, ['fresh', 'cached']]);
    } finally {
      await audited.close();
    }
  });
});

describe('snapshots and the state timeline', () => {
  let t: TestApp;
  const name = uniqueName('tl');

  before(async () => {
    t = await buildTestApp({ background: QUIET });
    assert.equal((await call(t, 'POST', '/v1/domains', { xml: testDomainXml(name) })).status, 201);
    await t.background!.snapshots.runNow();
  });
  after(async () => {
    await removeDomain(t, name);
    await t.close();
  });

  test('GET /v1/snapshots: newest first with host figures; paging; domains=true; GET /v1/snapshots/{id}', async () => {
    for (let i = 0; i < 3; i++) await t.background!.snapshots.runNow();
    const page = await call(t, 'GET', '/v1/snapshots?limit=2');
    assert.equal(page.status, 200, page.text);
    assert.equal(page.body.snapshots.length, 2);
    const [s0, s1] = page.body.snapshots;
    assert.ok(s0.id > s1.id && Date.parse(s0.takenAt) >= Date.parse(s1.takenAt));
    assert.deepEqual([s0.ok, s0.error, typeof s0.durationMs, s0.host.libvirt.hostname, s0.domains], [true, null, 'number', 'gvh-a', undefined]);
    assert.ok(s0.host.sysinfo.TotalRam > 0 && s0.host.node.cpus > 0);
    const next = await call(t, 'GET', `/v1/snapshots?limit=2&cursor=${page.body.nextCursor}&domains=true`);
    assert.ok(next.body.snapshots[0].id < s1.id);
    assert.ok(next.body.snapshots[0].domains.some((d: any) => d.name === name && d.state === 'shut off'));
    const one = await call(t, 'GET', `/v1/snapshots/${s0.id}`);
    assert.deepEqual([one.body.id, one.body.domains.some((d: any) => d.name === name)], [s0.id, true]);
    const since = new Date(Date.parse(s1.takenAt)).toISOString();
    const ranged = await call(t, 'GET', `/v1/snapshots?since=${since}&until=${s0.takenAt}`);
    assert.ok(ranged.body.snapshots.every((s: any) => s.takenAt >= since && s.takenAt <= s0.takenAt));
    assert.ok(ranged.body.snapshots.length >= 2);
    assertError(await call(t, 'GET', '/v1/snapshots/999999999'), 404, 'NOT_FOUND', 'id');
    assertError(await call(t, 'GET', '/v1/snapshots?since=yesterday'), 400, 'VALIDATION_FAILED', 'since');
    assertError(await call(t, 'GET', '/v1/snapshots?domains=yes'), 400, 'VALIDATION_FAILED', 'domains');
  });

  test('the timeline names the audited action for changes the agent made, the event for the others', async () => {
    const start = await call(t, 'POST', `/v1/domains/${name}/actions/start`);
    assert.equal(start.status, 200, start.text);
    const suspend = await call(t, 'POST', '/', goPayload({ action: 'suspend', domain: name }));
    assert.equal(suspend.status, 200, suspend.text);
    // At once, within the grace period after suspend; but suspend ended in 'paused', so not its doing.
    await t.deps.libvirt.resume(await t.deps.libvirt.lookupDomain(name)); // behind the agent's back
    await waitUntil(async () => (await call(t, 'GET', `/v1/domains/${name}/timeline`)).body.changes?.length >= 3, 5000);
    const tl = await call(t, 'GET', `/v1/domains/${name}/timeline`);
    assert.equal(tl.status, 200, tl.text);
    const steps = tl.body.changes.slice(0, 3).reverse().map((c: any) => [c.from, c.to, c.cause.type, c.cause.auditId ?? null, c.cause.action ?? null, c.cause.event]);
    assert.deepEqual(steps, [
      ['shut off', 'running', 'action', start.body.auditId, 'start', 'started/booted'],
      ['running', 'paused', 'action', suspend.body.auditId, 'suspend', 'suspended/paused'],
      ['paused', 'running', 'event', null, null, 'resumed/unpaused'],
    ]);
    assert.equal(tl.body.changes[0].cause.actor, undefined);
    assert.equal(tl.body.changes[1].cause.actor, 'anonymous');
    const limited = await call(t, 'GET', `/v1/domains/${name}/timeline?limit=1`);
    assert.equal(limited.body.changes.length, 1);
    const rest = await call(t, 'GET', `/v1/domains/${name}/timeline?limit=10&cursor=${limited.body.nextCursor}`);
    assert.equal(rest.body.changes[0].id, tl.body.changes[1].id);
    assert.deepEqual((await call(t, 'GET', '/v1/domains/never-seen/timeline')).body.changes, []);
    assertError(await call(t, 'GET', `/v1/domains/${name}/timeline?limit=0`), 400, 'VALIDATION_FAILED', 'limit');
  });

  test('OpenAPI documents the new routes, and `source` on the cached reads', async () => {
    const paths = (await call(t, 'GET', '/openapi.json')).body.paths;
    for (const p of ['/v1/snapshots', '/v1/snapshots/{id}', '/v1/domains/{name}/timeline', '/v1/events']) assert.ok(paths[p]?.get, p);
    for (const p of ['/v1/domains', '/v1/domains/{name}', '/v1/host']) {
      assert.ok(paths[p].get.parameters.some((x: any) => x.name === 'source' && x.in === 'query'), p);
      assert.ok(paths[p].get.responses['200'].headers['X-Data-Source'], p);
    }
    const timelineQuery = paths['/v1/domains/{name}/timeline'].get.parameters.map((x: any) => `${x.in}:${x.name}`);
    assert.deepEqual(timelineQuery.sort(), ['path:name', 'query:cursor', 'query:limit', 'query:since', 'query:until']);
    assert.ok(paths['/v1/events'].get.responses['200'].content['text/event-stream']);
  });
});
