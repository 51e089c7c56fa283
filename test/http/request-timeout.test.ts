/**
 * The request timeout, with libvirt that never answers (a wire-level fake that is silent on the
 * calls the requests make): a read gets 504 REQUEST_TIMEOUT after the limit, in the error envelope
 * with the request id; a REST mutation gets 202 with its operation's Location and goes on; a seed
 * mutation (a protocol with no 202) is not cut off and gets its own answer when it ends.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, type TestApp } from '../support/app.ts';
import { XdrWriter } from '../../src/libvirt/xdr.ts';
import { FakeLibvirtd, stringReply } from '../support/fake-libvirtd.ts';
import { assertError, call, oneAudit } from '../support/http.ts';

const LIMIT_MS = 300;
let fake: FakeLibvirtd;
let t: TestApp;

before(async () => {
  fake = new FakeLibvirtd();
  const version = () => ({ ok: new XdrWriter().uhyper(9_000_000n).toBuffer() });
  fake.handlers.set(59, () => stringReply('gvh-fake')); // CONNECT_GET_HOSTNAME (the test app checks it is a test host)
  fake.handlers.set(3, () => stringReply('Test')); // CONNECT_GET_TYPE
  fake.handlers.set(4, version); // CONNECT_GET_VERSION
  fake.handlers.set(157, version); // CONNECT_GET_LIB_VERSION
  fake.handlers.set(110, () => stringReply('test:///default')); // CONNECT_GET_URI
  fake.handlers.set(344, () => ({ silent: true })); // CONNECT_GET_ALL_DOMAIN_STATS
  fake.handlers.set(273, () => ({ silent: true })); // CONNECT_LIST_ALL_DOMAINS
  // DOMAIN_LOOKUP_BY_NAME: 'slow' is not found after three limits; anything else never answers.
  fake.handlers.set(23, async (p) => {
    if (!p.payload.includes(Buffer.from('slow'))) return { silent: true };
    await new Promise((resolve) => setTimeout(resolve, LIMIT_MS * 3));
    return { error: { code: 42, domain: 10, message: "Domain not found: no domain with matching name 'slow'" } };
  });
  await fake.listen();
  process.env.GVH_FAKE_SILENT_URI = fake.uri;
  t = await buildTestApp({ uriVar: 'GVH_FAKE_SILENT_URI', settings: { requestTimeoutMs: LIMIT_MS, readTimeoutMs: 10_000 } });
});

after(async () => {
  await t?.close().catch(() => undefined);
  await fake?.close();
});

async function timed(method: string, path: string, body?: unknown) {
  const t0 = performance.now();
  const answer = await call(t, method, path, body, { 'x-request-id': `timeout-${method.toLowerCase()}` });
  return { answer, ms: performance.now() - t0 };
}

test('a fresh read libvirt never answers gets 504 REQUEST_TIMEOUT after the limit', async () => {
  const { answer, ms } = await timed('GET', '/v1/domains?source=fresh');
  assertError(answer, 504, 'REQUEST_TIMEOUT');
  assert.equal(answer.headers.get('x-request-id'), 'timeout-get');
  assert.match(answer.body.error.message, new RegExp(`did not complete within ${LIMIT_MS} ms`));
  assert.ok(ms >= LIMIT_MS - 20 && ms < LIMIT_MS + 1500, `answered after ${Math.round(ms)} ms`);
});

test('a mutation still running at the limit gets 202 with its operation, not 504, and goes on', async () => {
  const { answer, ms } = await timed('POST', '/v1/domains/stuck/actions/reset');
  assert.equal(answer.status, 202, answer.text);
  assert.ok(ms >= LIMIT_MS - 20 && ms < LIMIT_MS + 1500, `answered after ${Math.round(ms)} ms`);
  const record = oneAudit(t, 'timeout-post');
  assert.deepEqual([record.action, record.outcome], ['reset', 'running']);
  assert.equal(answer.headers.get('location'), `/v1/operations/${record.id}`);
  assert.deepEqual([answer.body.id, answer.body.status, answer.body.action, answer.body.domain], [record.id, 'running', 'reset', 'stuck']);
  const followed = await call(t, 'GET', `/v1/operations/${record.id}`);
  assert.deepEqual([followed.status, followed.body.status], [200, 'running']);
});

test('a seed mutation is not cut off at the limit: it gets its own answer when it ends', async () => {
  const t0 = performance.now();
  const answer = await call(t, 'POST', '/', { domain: 'slow', action: 'reset' }, { 'x-request-id': 'timeout-seed' });
  const ms = performance.now() - t0;
  assertError(answer, 404, 'NOT_FOUND');
  assert.ok(ms >= LIMIT_MS * 3 - 20, `answered after ${Math.round(ms)} ms`);
  assert.equal(oneAudit(t, 'timeout-seed').outcome, 'failed');
});
