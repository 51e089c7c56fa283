/**
 * The audit log through the HTTP layer: one record per mutation with the right outcome and fields,
 * reads audited only when asked, and GET /v1/history with its filters, cursor and errors.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { buildTestApp, type TestApp } from '../support/app.ts';
import { uniqueName } from '../support/guest.ts';
import { assertError, auditFor, call, goPayload, oneAudit, removeDomain, testDomainXml } from '../support/http.ts';
import { sleep } from '../support/wait.ts';

describe('audit records', () => {
  let t: TestApp;
  const made: string[] = [];
  const fresh = (prefix: string) => { const n = uniqueName(prefix); made.push(n); return n; };
  const rid = (label: string) => `${label}-${Math.random().toString(36).slice(2, 10)}`;
  const define = async (n: string) => assert.equal((await call(t, 'POST', '/v1/domains', { xml: testDomainXml(n) })).status, 201);
  const act = (dom: string, action: string, body?: unknown, headers: Record<string, string> = {}) =>
    call(t, 'POST', `/v1/domains/${dom}/actions/${action}`, body, headers);
  const history = (query: string) => call(t, 'GET', `/v1/history?${query}`);

  before(async () => { t = await buildTestApp(); });
  after(async () => {
    for (const n of made) await removeDomain(t, n);
    await t.close();
  });

  test('succeeded: one record with every field, the result state and the caller facts', async () => {
    const n = fresh('aud-ok');
    await define(n);
    const id = rid('aud-start');
    const before = Date.now();
    const a = await act(n, 'start', undefined, { 'x-request-id': id, 'user-agent': 'audit-test/1.0' });
    assert.equal(a.status, 200, a.text);
    const rec = oneAudit(t, id);
    assert.equal(rec.id, a.body.auditId);
    assert.deepEqual(
      [rec.protocol, rec.action, rec.domain, rec.actor, rec.outcome, rec.httpStatus, rec.userAgent, rec.target, rec.errorCode, rec.libvirtCode],
      ['rest', 'start', n, 'anonymous', 'succeeded', 200, 'audit-test/1.0', null, null, null],
    );
    assert.equal(rec.remoteAddr, null, 'no socket behind app.request (socket.test.ts checks a real peer)');
    assert.deepEqual(rec.params, { domain: n });
    assert.equal(rec.result?.state, 'running');
    assert.ok(rec.receivedAt >= before - 5 && rec.finishedAt !== null && rec.finishedAt >= rec.receivedAt);
    assert.equal(rec.durationMs, rec.finishedAt - rec.receivedAt);
  });

  test('the seed protocol records protocol "seed" and the target', async () => {
    const id = rid('aud-seed');
    const a = await call(t, 'POST', '/', goPayload({ action: 'migrate', domain: 'test', target: 'gvh-b' }), { 'x-request-id': id });
    assert.equal(a.status, 501);
    const rec = oneAudit(t, id);
    assert.deepEqual([rec.protocol, rec.action, rec.domain, rec.target, rec.outcome, rec.errorCode], ['seed', 'migrate', 'test', 'gvh-b', 'failed', 'UNSUPPORTED']);
    assert.equal(rec.result?.migrated, false, 'the failed pre-check is in the record');
  });

  test('define keeps the XML as its digest in the record and in full beside it (seed base64 decoded); undefine keeps what it removed', async () => {
    const n = fresh('aud-xml');
    const xml = testDomainXml(n, `<description>${'long text '.repeat(3000)}</description>`);
    const id = rid('aud-def');
    const a = await call(t, 'POST', '/', goPayload({ action: 'define', form: { xml: Buffer.from(xml).toString('base64') } }), { 'x-request-id': id });
    assert.equal(a.status, 200, a.text);
    const rec = oneAudit(t, id);
    const digest = { sha256: createHash('sha256').update(xml).digest('hex'), bytes: Buffer.byteLength(xml) };
    assert.deepEqual(rec.params.xml, digest);
    assert.deepEqual(rec.result?.xml, digest);
    const kept = await call(t, 'GET', `/v1/history/${rec.id}/xml`);
    assert.equal(kept.status, 200);
    assert.equal(kept.text, xml);
    const u = rid('aud-undef');
    assert.equal((await call(t, 'DELETE', `/v1/domains/${n}`, undefined, { 'x-request-id': u })).status, 200);
    const removed = await call(t, 'GET', `/v1/history/${oneAudit(t, u).id}/xml`);
    assert.match(removed.text, /long text long text/);
    assert.equal((await call(t, 'GET', '/v1/history/999999999999/xml')).status, 404);
  });

  test('define and create from XML alone record the domain they name (REST and seed)', async () => {
    const r = fresh('aud-dom-r');
    const s = fresh('aud-dom-s');
    const c = fresh('aud-dom-c');
    const ids = [rid('aud-dr'), rid('aud-ds'), rid('aud-dc')];
    await call(t, 'POST', '/v1/domains', { xml: testDomainXml(r) }, { 'x-request-id': ids[0]! });
    await call(t, 'POST', '/', goPayload({ action: 'define', form: { xml: testDomainXml(s) } }), { 'x-request-id': ids[1]! });
    await call(t, 'POST', '/v1/domains', { xml: testDomainXml(c), start: true }, { 'x-request-id': ids[2]! });
    assert.deepEqual(ids.map((id) => oneAudit(t, id).domain), [r, s, c]);
    const h = await history(`domain=${r}`);
    assert.equal(h.body.records.length, 1, 'history by domain finds the define');
  });

  test('failed: libvirt refused (reboot a shut-off domain) → code 55, CONFLICT, 409', async () => {
    const n = fresh('aud-55');
    await define(n);
    const id = rid('aud-fail');
    assert.equal((await act(n, 'reboot', undefined, { 'x-request-id': id })).status, 409);
    const rec = oneAudit(t, id);
    assert.deepEqual([rec.outcome, rec.errorCode, rec.libvirtCode, rec.httpStatus], ['failed', 'CONFLICT', 55, 409]);
    assert.match(rec.errorMessage ?? '', /not running/);
    assert.equal(rec.result, null);
  });

  test('failed: no such domain → NOT_FOUND with libvirt code 42 recorded', async () => {
    const id = rid('aud-42');
    assert.equal((await act('no-such-domain', 'start', undefined, { 'x-request-id': id })).status, 404);
    const rec = oneAudit(t, id);
    assert.deepEqual([rec.outcome, rec.errorCode, rec.httpStatus], ['failed', 'NOT_FOUND', 404]);
    assert.equal(rec.libvirtCode, 42, 'libvirt said VIR_ERR_NO_DOMAIN (42); the record drops it');
  });

  test('rejected: validation, unknown action and busy domain', async () => {
    const n = fresh('aud-rej');
    await define(n);
    const cases: Array<[() => Promise<unknown>, string, string, number]> = [
      [() => act(n, 'shutdown', { wait: -1 }, { 'x-request-id': 'rej-valid' }), 'shutdown', 'VALIDATION_FAILED', 400],
      [() => act(n, 'fly', undefined, { 'x-request-id': 'rej-action' }), 'fly', 'UNKNOWN_ACTION', 400],
      [() => call(t, 'POST', '/', goPayload({ action: 'fly', domain: n }), { 'x-request-id': 'rej-seed' }), 'fly', 'UNKNOWN_ACTION', 400],
    ];
    for (const [send, action, code, status] of cases) {
      const a = (await send()) as { body: any };
      const rec = oneAudit(t, a.body.error.requestId);
      assert.ok(rec.action === action || (action === 'fly' && /fly$/.test(rec.action)), rec.action);
      assert.deepEqual([rec.outcome, rec.errorCode, rec.httpStatus], ['rejected', code, status]);
    }
    assert.ok(t.deps.locks.tryAcquire(n, 'test-holder'));
    try {
      const err = assertError(await act(n, 'start'), 409, 'DOMAIN_BUSY');
      const rec = oneAudit(t, err.requestId);
      assert.deepEqual([rec.outcome, rec.errorCode, rec.domain], ['rejected', 'DOMAIN_BUSY', n]);
      assert.match(rec.errorMessage ?? '', /test-holder/);
    } finally {
      t.deps.locks.release(n);
    }
  });

  test('a mutation with a body that is not JSON is still audited as rejected', async () => {
    const id = rid('aud-badjson');
    assertError(await call(t, 'POST', '/v1/domains/test/actions/start', '{not json', { 'x-request-id': id }), 400, 'BAD_REQUEST');
    const rec = auditFor(t, id);
    assert.equal(rec.length, 1, 'no audit record for a rejected mutation request');
    assert.equal(rec[0]?.outcome, 'rejected');
  });

  test('reads are not audited by default', async () => {
    for (const path of ['/v1/domains', '/v1/domains/test', '/v1/host', '/v1/history', '/?target=vm', '/?target=metal', '/?target=nope']) {
      const id = rid('aud-read');
      await call(t, 'GET', path, undefined, { 'x-request-id': id });
      assert.equal(auditFor(t, id).length, 0, path);
    }
  });

  test('with settings.auditReads reads are audited, rejected ones too', async () => {
    const r = await buildTestApp({ settings: { auditReads: true } });
    try {
      await call(r, 'GET', '/v1/domains', undefined, { 'x-request-id': 'read-rest' });
      await call(r, 'GET', '/?target=metal', undefined, { 'x-request-id': 'read-seed' });
      await call(r, 'GET', '/?target=nope', undefined, { 'x-request-id': 'read-bad' });
      const rest = oneAudit(r, 'read-rest');
      assert.deepEqual([rest.protocol, rest.action, rest.outcome, rest.httpStatus], ['rest', 'list-domains', 'succeeded', 200]);
      const seed = oneAudit(r, 'read-seed');
      assert.deepEqual([seed.protocol, seed.action, seed.outcome], ['seed', 'host-sysinfo', 'succeeded']);
      assert.deepEqual([oneAudit(r, 'read-bad').outcome, oneAudit(r, 'read-bad').httpStatus], ['rejected', 400]);
    } finally {
      await r.close();
    }
  });
});

describe('GET /v1/history', () => {
  let t: TestApp;
  const n = uniqueName('hist');
  const reject = (wait = -1) => call(t, 'POST', `/v1/domains/${n}/actions/shutdown`, { wait });

  before(async () => {
    t = await buildTestApp();
    assert.equal((await call(t, 'POST', '/v1/domains', { xml: testDomainXml(n) })).status, 201);
  });
  after(async () => {
    await removeDomain(t, n);
    await t.close();
  });

  test('filters by domain, action, outcome and actor; newest first', async () => {
    assert.equal((await call(t, 'POST', `/v1/domains/${n}/actions/start`)).status, 200);
    await reject();
    const mine = (await call(t, 'GET', `/v1/history?domain=${n}`)).body.records;
    assert.ok(mine.length >= 2); // start and the rejection (the XML define is checked above)
    assert.ok(mine.every((r: any) => r.domain === n));
    assert.deepEqual(mine.map((r: any) => r.id), [...mine.map((r: any) => r.id)].sort((a: number, b: number) => b - a));
    const started = (await call(t, 'GET', `/v1/history?domain=${n}&action=start`)).body.records;
    assert.deepEqual(started.map((r: any) => [r.action, r.outcome]), [['start', 'succeeded']]);
    const rejected = (await call(t, 'GET', `/v1/history?domain=${n}&outcome=rejected`)).body.records;
    assert.ok(rejected.length >= 1 && rejected.every((r: any) => r.outcome === 'rejected'));
    const anon = (await call(t, 'GET', '/v1/history?actor=anonymous')).body.records;
    assert.ok(anon.length >= 3 && anon.every((r: any) => r.actor === 'anonymous'));
    assert.deepEqual((await call(t, 'GET', '/v1/history?actor=nobody')).body, { records: [], nextCursor: null });
  });

  test('since/until select by received time, inclusive', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await reject()).body.error.auditId);
      await sleep(15);
    }
    const mid = t.deps.audit.get(ids[1]!)!;
    const iso = new Date(mid.receivedAt).toISOString();
    const only = (await call(t, 'GET', `/v1/history?domain=${n}&since=${iso}&until=${iso}`)).body.records;
    assert.deepEqual(only.map((r: any) => r.id), [ids[1]]);
    const fromMid = (await call(t, 'GET', `/v1/history?domain=${n}&since=${iso}`)).body.records.map((r: any) => r.id);
    assert.deepEqual(fromMid, [ids[2], ids[1]]);
    const untilMid = (await call(t, 'GET', `/v1/history?domain=${n}&until=${iso}`)).body.records.map((r: any) => r.id);
    assert.ok(untilMid.includes(ids[0]) && untilMid.includes(ids[1]) && !untilMid.includes(ids[2]));
  });

  test('the cursor stays stable while new records arrive', async () => {
    const d = uniqueName('hist-page');
    const page = (q: string) => call(t, 'GET', `/v1/history?domain=${d}&limit=2${q}`);
    const sendFor = async () => (await call(t, 'POST', `/v1/domains/${d}/actions/shutdown`, { wait: -1 })).body.error.auditId as number;
    const first5: number[] = [];
    for (let i = 0; i < 5; i++) first5.push(await sendFor());
    const p1 = (await page('')).body;
    for (let i = 0; i < 3; i++) await sendFor();
    const p2 = (await page(`&cursor=${p1.nextCursor}`)).body;
    await sendFor();
    const p3 = (await page(`&cursor=${p2.nextCursor}`)).body;
    const seen = [...p1.records, ...p2.records, ...p3.records].map((r: any) => r.id);
    assert.deepEqual(seen, [...first5].reverse());
    assert.equal(p3.nextCursor, null);
  });

  test('GET /v1/history/{id} returns one record; unknown → 404; bad id → 400', async () => {
    const listed = (await call(t, 'GET', '/v1/history?limit=1')).body.records[0];
    const one = await call(t, 'GET', `/v1/history/${listed.id}`);
    assert.equal(one.status, 200);
    assert.deepEqual(one.body, listed);
    assertError(await call(t, 'GET', '/v1/history/987654321'), 404, 'NOT_FOUND', 'id');
    assertError(await call(t, 'GET', '/v1/history/abc'), 400, 'VALIDATION_FAILED', 'id');
  });

  test('bad filter values are 400 naming the field', async () => {
    const cases: Array<[string, string]> = [
      ['limit=0', 'limit'], ['limit=501', 'limit'], ['limit=ten', 'limit'], ['cursor=-3', 'cursor'],
      ['since=yesterday', 'since'], ['until=2026-13-40T00:00:00Z', 'until'], ['outcome=meh', 'outcome'],
      ['domain=a/b', 'domain'], ['colour=red', 'colour'],
    ];
    for (const [q, field] of cases) assertError(await call(t, 'GET', `/v1/history?${q}`), 400, 'VALIDATION_FAILED', field);
  });
});
