/**
 * Hostile and careless callers, in process: prototype names as targets, deep and broken bodies,
 * echoes of huge input, refusals without a valid token (fixed-size rows, no body read, rate
 * limited), an unreadable sign-in form, and the disk guard.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { FailedAuthLimiter } from '../../src/auth/failed-auth.ts';
import { DiskGuard } from '../../src/store/disk-guard.ts';
import { buildTestApp, type TestApp } from '../support/app.ts';
import { uniqueName } from '../support/guest.ts';
import { assertError, call, goPayload, oneAudit, removeDomain, testDomainXml } from '../support/http.ts';

const PROTOTYPE_NAMES = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'];
const nested = (open: string, close: string, depth: number) => `${open.repeat(depth)}${close.repeat(depth)}`;

describe('hostile input, with tokens', () => {
  let t: TestApp;
  const name = uniqueName('hostile');
  const admin = () => ({ authorization: `Bearer ${t.tokens.admin}` });

  before(async () => {
    t = await buildTestApp({ withTokens: true, withOps: {}, authLimiter: new FailedAuthLimiter({ perPeer: { burst: 5, perMinute: 1 }, total: { burst: 1000, perMinute: 1000 }, maxPeers: 100 }) });
    assert.equal((await call(t, 'POST', '/v1/domains', { xml: testDomainXml(name) }, admin())).status, 201);
  });
  after(async () => {
    await removeDomain(t, name);
    await t.close();
  });

  test('a target, action or route segment named like an object property is a 4xx, never a 500', async () => {
    for (const target of PROTOTYPE_NAMES) {
      assertError(await call(t, 'GET', `/?target=${encodeURIComponent(target)}`, undefined, admin()), 400, 'VALIDATION_FAILED', 'target');
      assertError(await call(t, 'POST', '/', goPayload({ action: target, domain: name }), admin()), 400, 'UNKNOWN_ACTION', 'action');
      assertError(await call(t, 'POST', `/v1/domains/${name}/actions/${encodeURIComponent(target)}`, {}, admin()), 400, 'UNKNOWN_ACTION', 'action');
      const a = await call(t, 'GET', `/v1/history?${encodeURIComponent(target)}=1`, undefined, admin());
      assert.ok(a.status === 400, `${target}: ${a.status} ${a.text}`);
    }
  });

  test('a body nested 10,000 deep is a 400 on both protocols', async () => {
    for (const [open, close] of [['[', ']'], ['{"a":', '}']]) {
      const deep = `{"domain":${nested(open!, close!, 10_000)}}`;
      assertError(await call(t, 'POST', '/', deep, admin()), 400, 'BAD_REQUEST', '(body)');
      assertError(await call(t, 'POST', `/v1/domains/${name}/actions/start`, deep, admin()), 400, 'BAD_REQUEST', '(body)');
      assertError(await call(t, 'POST', '/v1/domains', deep, admin()), 400, 'BAD_REQUEST', '(body)');
    }
    const shallow = JSON.stringify({ domain: name, action: 'start', target: '', createvmform: null, x: nested('[', ']', 20) });
    assertError(await call(t, 'POST', '/', shallow, admin()), 400, 'VALIDATION_FAILED', 'x');
  });

  test('invalid UTF-8 in a body is refused, not read with replacement characters', async () => {
    const bytes = Buffer.concat([Buffer.from('{"domain":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('","action":"start"}')]);
    for (const path of ['/', `/v1/domains/${name}/actions/start`]) {
      const res = await t.app.request(path, { method: 'POST', body: bytes, headers: admin() });
      const text = await res.text();
      assert.equal(res.status, 400, text);
      assert.equal(JSON.parse(text).error.code, 'BAD_REQUEST');
    }
  });

  test('createvmform given as an array is refused', async () => {
    const body = JSON.stringify({ domain: '', action: 'create', target: '', createvmform: [] });
    assertError(await call(t, 'POST', '/', body, admin()), 400, 'VALIDATION_FAILED', 'createvmform');
  });

  test('a 1 MB field name or action name is never echoed whole, in the answer or the record', async () => {
    const huge = 'k'.repeat(1_000_000);
    for (const [body, path] of [[`{"${huge}":1}`, `/v1/domains/${name}/actions/start`], [goPayload({ action: huge, domain: name }), '/']] as const) {
      const a = await call(t, 'POST', path, body, { ...admin(), 'x-request-id': `huge-${path.length}` });
      assert.equal(a.status, 400);
      assert.ok(a.text.length < 2048, `answer is ${a.text.length} bytes`);
      const rec = oneAudit(t, `huge-${path.length}`);
      assert.ok(JSON.stringify(rec).length < 4096, `record is ${JSON.stringify(rec).length} bytes`);
    }
  });

  test('no token: 401 with a fixed-size record, then 429 with Retry-After and no record, counted in /metrics', async () => {
    const big = JSON.stringify({ xml: `<domain>${'x'.repeat(900 * 1024)}</domain>` });
    const before = t.deps.audit.query({ limit: 500 }).records.length;
    const answers = [];
    for (let i = 0; i < 8; i++) answers.push(await call(t, 'POST', '/v1/domains', big, { 'x-request-id': `anon-${i}` }));
    assert.deepEqual(answers.map((a) => a.status), [401, 401, 401, 401, 401, 429, 429, 429]);
    assertError(answers[0]!, 401, 'UNAUTHENTICATED');
    const limited = assertError(answers[5]!, 429, 'RATE_LIMITED');
    assert.match(limited.message, /retry in \d+ s/);
    assert.ok(Number(answers[5]!.headers.get('retry-after')) >= 1);
    const rec = oneAudit(t, 'anon-0');
    assert.deepEqual([rec.outcome, rec.httpStatus, rec.errorCode, rec.action], ['rejected', 401, 'UNAUTHENTICATED', 'define']);
    assert.deepEqual(rec.params, { method: 'POST', path: '/v1/domains' });
    assert.equal(t.deps.audit.query({ limit: 500 }).records.length, before + 5, 'a 429 leaves no record');
    const metrics = await call(t, 'GET', '/metrics');
    assert.match(metrics.text, /govirthost_auth_refusals_total\{outcome="refused"\} 5\b/);
    assert.match(metrics.text, /govirthost_auth_refusals_total\{outcome="rate_limited"\} 3\b/);
    assert.equal((await call(t, 'GET', '/v1/domains', undefined, admin())).status, 200, 'a valid token is never limited');
  });

  test('a read without a token or with a role too low is recorded too (fixed size), a valid read is not', async () => {
    t.deps.authLimiter = new FailedAuthLimiter(); // the earlier test spent this peer's budget
    const before = t.deps.audit.query({ limit: 500 }).records.length;
    assertError(await call(t, 'GET', '/v1/domains', undefined, { 'x-request-id': 'anon-read' }), 401, 'UNAUTHENTICATED');
    assert.equal((await call(t, 'GET', '/v1/domains', undefined, { ...admin(), 'x-request-id': 'admin-read' })).status, 200);
    const rec = oneAudit(t, 'anon-read');
    assert.deepEqual([rec.action, rec.outcome, rec.params], ['list-domains', 'rejected', { method: 'GET', path: '/v1/domains' }]);
    assert.equal(t.deps.audit.query({ limit: 500 }).records.length, before + 1);
  });

  test('a role too low: 403 with a fixed-size record', async () => {
    const a = await call(t, 'POST', `/v1/domains/${name}/actions/destroy`, { padding: 'p'.repeat(100_000) }, { authorization: `Bearer ${t.tokens.viewer}`, 'x-request-id': 'viewer-destroy' });
    assertError(a, 403, 'FORBIDDEN');
    assert.deepEqual(oneAudit(t, 'viewer-destroy').params, { method: 'POST', path: `/v1/domains/${name}/actions/destroy` });
  });
});

describe('the sign-in form, with tokens', () => {
  let t: TestApp;
  before(async () => { t = await buildTestApp({ withTokens: true }); });
  after(async () => { await t.close(); });

  test('a form that cannot be read (multipart without a boundary, or not multipart at all) is a 400 page, not a 500', async () => {
    for (const type of ['multipart/form-data', 'multipart/form-data; boundary=x']) {
      const res = await t.app.request('/ui/login', { method: 'POST', body: '{}', headers: { 'content-type': type } });
      assert.equal(res.status, 400, type);
      assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
      assert.match(await res.text(), /That form could not be read/);
    }
  });
});

describe('the disk guard', () => {
  let t: TestApp;
  let free = 10 * 1024 ** 3;
  const name = uniqueName('diskguard');

  before(async () => {
    const disk = new DiskGuard('/db', { minFreeBytes: 1024 ** 3, minFreePercent: 5 }, { statfs: () => ({ bavail: free / 4096, blocks: (100 * 1024 ** 3) / 4096, bsize: 4096 }), cacheMs: 0 });
    t = await buildTestApp({ withOps: {}, disk });
    assert.equal((await call(t, 'POST', '/v1/domains', { xml: testDomainXml(name) })).status, 201);
  });
  after(async () => {
    free = 10 * 1024 ** 3;
    await removeDomain(t, name);
    await t.close();
  });

  test('nearly full: mutations get 507 before they run, reads go on, /readyz and /metrics say why', async () => {
    free = 512 * 1024 ** 2;
    const refused = assertError(await call(t, 'POST', `/v1/domains/${name}/actions/start`, {}, { 'x-request-id': 'disk-low' }), 507, 'INSUFFICIENT_STORAGE');
    assert.match(refused.message, /512\.0 MiB free/);
    assertError(await call(t, 'POST', '/', goPayload({ action: 'start', domain: name })), 507, 'INSUFFICIENT_STORAGE');
    assert.equal(oneAudit(t, 'disk-low').outcome, 'rejected');
    const list = await call(t, 'GET', '/v1/domains');
    assert.equal(list.status, 200);
    assert.equal(list.body.domains.find((d: { name: string }) => d.name === name)?.state, 'shut off', 'the guest was not started');
    const ready = await call(t, 'GET', '/readyz');
    assert.equal(ready.status, 503);
    assert.match(ready.body.checks.find((c: { name: string }) => c.name === 'disk').detail, /mutations are refused/);
    assert.match((await call(t, 'GET', '/metrics')).text, /govirthost_disk_low 1/);
  });

  test('under 5 % free counts as nearly full too; with room again mutations run', async () => {
    free = 4 * 1024 ** 3;
    assertError(await call(t, 'POST', `/v1/domains/${name}/actions/start`, {}), 507, 'INSUFFICIENT_STORAGE');
    free = 10 * 1024 ** 3;
    assert.equal((await call(t, 'POST', `/v1/domains/${name}/actions/start`, {})).status, 200);
    assert.equal((await call(t, 'POST', `/v1/domains/${name}/actions/destroy`, {})).status, 200);
    assert.match((await call(t, 'GET', '/metrics')).text, /govirthost_disk_low 0/);
  });
});

describe('the request log under hostile callers', () => {
  test('rate-limited refusals are counted, not logged at info', async () => {
    const lines: string[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => { lines.push(line); } });
    const t = await buildTestApp({ log, withTokens: true, authLimiter: new FailedAuthLimiter({ perPeer: { burst: 2, perMinute: 1 }, total: { burst: 100, perMinute: 100 }, maxPeers: 10 }) });
    try {
      const statuses = [];
      for (let i = 0; i < 6; i++) statuses.push((await call(t, 'GET', '/v1/domains')).status);
      assert.deepEqual(statuses, [401, 401, 429, 429, 429, 429]);
      const logged = lines.map((l) => JSON.parse(l) as { msg: string; status?: number }).filter((l) => l.msg === 'request');
      assert.deepEqual(logged.map((l) => l.status), [401, 401]);
    } finally {
      await t.close();
    }
  });

  test('a caller\'s path is logged cut to 256 characters', async () => {
    const lines: string[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => { lines.push(line); } });
    const t = await buildTestApp({ log });
    try {
      const long = `/v1/${'p'.repeat(5_000)}`;
      assert.equal((await call(t, 'GET', long)).status, 404);
      const logged = lines.map((l) => JSON.parse(l) as { msg: string; path?: string }).find((l) => l.msg === 'request');
      assert.ok(logged?.path, lines.join('\n').slice(0, 500));
      assert.ok(logged.path.length < 300, `logged ${logged.path.length} characters`);
      assert.match(logged.path, /… \(5004 characters\)$/);
    } finally {
      await t.close();
    }
  });
});
