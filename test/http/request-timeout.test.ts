/**
 * The request timeout, with libvirt that never answers (a wire-level fake that is silent on the
 * calls the requests make): a read and a mutation each get 504 REQUEST_TIMEOUT after the limit, in
 * the error envelope with the request id, and the mutation's audit record is left to say how it ends.
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
  fake.handlers.set(23, () => ({ silent: true })); // DOMAIN_LOOKUP_BY_NAME
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

test('a mutation gets 504 too, says the action goes on, and its audit record stays pending', async () => {
  const { answer, ms } = await timed('POST', '/v1/domains/stuck/actions/reset');
  assertError(answer, 504, 'REQUEST_TIMEOUT');
  assert.match(answer.body.error.message, /the action goes on/);
  assert.ok(ms >= LIMIT_MS - 20 && ms < LIMIT_MS + 1500, `answered after ${Math.round(ms)} ms`);
  const record = oneAudit(t, 'timeout-post');
  assert.deepEqual([record.action, record.outcome], ['reset', 'pending']);
});
