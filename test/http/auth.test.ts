/**
 * Bearer tokens with roles (viewer < operator < admin) on both protocols, the audit trail of denied
 * requests, and that no token ever reaches the audit log.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, type TestApp } from '../support/app.ts';
import { uniqueName } from '../support/guest.ts';
import { assertError, call, goPayload, oneAudit, removeDomain, testDomainXml } from '../support/http.ts';

describe('auth with tokens', () => {
  let t: TestApp;
  const name = uniqueName('auth');
  const spare = uniqueName('auth-spare');
  const bearer = (role: 'viewer' | 'operator' | 'admin') => ({ authorization: `Bearer ${t.tokens[role]}` });
  const act = (role: 'viewer' | 'operator' | 'admin' | null, action: string, headers: Record<string, string> = {}) =>
    call(t, 'POST', `/v1/domains/${name}/actions/${action}`, undefined, { ...(role ? bearer(role) : {}), ...headers });

  before(async () => {
    t = await buildTestApp({ withTokens: true });
    assert.ok(t.tokens.viewer && t.tokens.operator && t.tokens.admin);
    const a = await call(t, 'POST', '/v1/domains', { xml: testDomainXml(name) }, bearer('admin'));
    assert.equal(a.status, 201, a.text);
  });
  after(async () => {
    for (const n of [name, spare]) await removeDomain(t, n);
    await t.close();
  });

  test('no token → 401 UNAUTHENTICATED on reads of both protocols', async () => {
    for (const path of ['/v1/domains', '/v1/domains/test', '/v1/host', '/v1/history', '/?target=vm', '/?target=metal']) {
      assertError(await call(t, 'GET', path), 401, 'UNAUTHENTICATED');
    }
  });

  test('no token on a mutation → 401 and an audit record "rejected" by anonymous', async () => {
    const rest = assertError(await act(null, 'start', { 'x-request-id': 'anon-rest' }), 401, 'UNAUTHENTICATED');
    const seed = assertError(await call(t, 'POST', '/', goPayload({ action: 'start', domain: name }), { 'x-request-id': 'anon-seed' }), 401, 'UNAUTHENTICATED');
    for (const err of [rest, seed]) {
      const rec = oneAudit(t, err.requestId);
      assert.deepEqual([rec.actor, rec.outcome, rec.errorCode, rec.httpStatus], ['anonymous', 'rejected', 'UNAUTHENTICATED', 401]);
    }
    assert.equal(oneAudit(t, 'anon-seed').protocol, 'seed');
  });

  test('a bad or malformed token → 401', async () => {
    const bad = [`Bearer gvh_${'A'.repeat(43)}`, 'Bearer not-a-token', `Basic ${Buffer.from('a:b').toString('base64')}`,
      `Bearer ${t.tokens.admin}x`, `${t.tokens.admin}`, 'Bearer'];
    for (const authorization of bad) {
      assertError(await call(t, 'GET', '/v1/domains', undefined, { authorization }), 401, 'UNAUTHENTICATED');
      assertError(await act(null, 'start', { authorization }), 401, 'UNAUTHENTICATED');
    }
    assert.equal((await call(t, 'GET', '/v1/domains', undefined, { authorization: `bearer ${t.tokens.viewer}` })).status, 200, 'scheme is case-insensitive');
  });

  test('viewer reads and sees history, but may not act (403, audited as test-viewer)', async () => {
    for (const path of ['/v1/domains', `/v1/domains/${name}`, `/v1/domains/${name}/xml`, '/v1/host', '/v1/history', '/?target=vm', '/?target=metal']) {
      assert.equal((await call(t, 'GET', path, undefined, bearer('viewer'))).status, 200, path);
    }
    const err = assertError(await act('viewer', 'start'), 403, 'FORBIDDEN');
    const rec = oneAudit(t, err.requestId);
    assert.deepEqual([rec.actor, rec.outcome, rec.errorCode], ['test-viewer', 'rejected', 'FORBIDDEN']);
    assertError(await call(t, 'POST', '/', goPayload({ action: 'start', domain: name }), bearer('viewer')), 403, 'FORBIDDEN');
    assertError(await call(t, 'DELETE', '/', { domain: name }, bearer('viewer')), 403, 'FORBIDDEN');
  });

  test('operator starts, shuts down, destroys (actor test-operator)', async () => {
    for (const [action, state] of [['start', 'running'], ['suspend', 'paused'], ['resume', 'running'], ['shutdown', 'shut off'], ['start', 'running'], ['destroy', 'shut off']]) {
      const a = await act('operator', action!);
      assert.equal(a.status, 200, `${action}: ${a.text}`);
      assert.equal(a.body.state, state);
      const rec = oneAudit(t, a.body.requestId);
      assert.deepEqual([rec.actor, rec.outcome], ['test-operator', 'succeeded']);
    }
    const seed = await call(t, 'POST', '/', goPayload({ action: 'start', domain: name }), bearer('operator'));
    assert.equal(seed.status, 200, seed.text);
    assert.equal((await act('operator', 'destroy')).status, 200);
  });

  test('operator may not define, undefine, create or migrate (403)', async () => {
    const op = bearer('operator');
    const denied = [
      await call(t, 'POST', '/v1/domains', { xml: testDomainXml(spare) }, op),
      await call(t, 'POST', '/v1/domains', { xml: testDomainXml(spare), start: true }, op),
      await call(t, 'DELETE', `/v1/domains/${name}`, undefined, op),
      await call(t, 'POST', `/v1/domains/${name}/actions/migrate`, { target: 'gvh-b' }, op),
      await call(t, 'POST', '/', goPayload({ action: 'define', form: { xml: testDomainXml(spare) } }), op),
      await call(t, 'POST', '/', goPayload({ action: 'create', form: { xml: testDomainXml(spare) } }), op),
      await call(t, 'POST', '/', goPayload({ action: 'undefine', domain: name }), op),
      await call(t, 'POST', '/', goPayload({ action: 'migrate', domain: name, target: 'gvh-b' }), op),
      await call(t, 'DELETE', '/', { domain: name }, op),
    ];
    for (const a of denied) {
      const err = assertError(a, 403, 'FORBIDDEN');
      assert.equal(oneAudit(t, err.requestId).actor, 'test-operator');
    }
    assertError(await call(t, 'GET', `/v1/domains/${spare}`, undefined, op), 404, 'NOT_FOUND');
    assert.equal((await call(t, 'GET', `/v1/domains/${name}`, undefined, op)).status, 200, 'still defined');
  });

  test('admin can do everything: create, define, undefine, migrate gets past auth', async () => {
    const adm = bearer('admin');
    const c = await call(t, 'POST', '/v1/domains', { xml: testDomainXml(spare), start: true }, adm);
    assert.equal(c.status, 201, c.text);
    assert.equal(oneAudit(t, c.body.requestId).actor, 'test-admin');
    assert.equal((await call(t, 'POST', `/v1/domains/${spare}/actions/destroy`, undefined, adm)).status, 200);
    assert.equal((await call(t, 'DELETE', `/v1/domains/${spare}`, undefined, adm)).status, 200);
    assert.equal((await call(t, 'POST', '/', goPayload({ action: 'define', domain: spare }), adm)).status, 200, 'restored');
    const mig = await call(t, 'POST', `/v1/domains/${name}/actions/migrate`, { target: 'gvh-b' }, adm);
    assert.ok(mig.status !== 401 && mig.status !== 403, mig.text);
    assert.equal((await call(t, 'POST', '/', goPayload({ action: 'undefine', domain: spare }), adm)).status, 200);
    assertError(await call(t, 'DELETE', '/', { domain: spare }, adm), 404, 'NOT_FOUND');
  });

  test('no token text appears anywhere in the audit log or the history API', async () => {
    const records = t.deps.audit.query({ limit: 500 }).records;
    assert.ok(records.length > 20, `${records.length} records`);
    const actors = new Set(records.map((r) => r.actor));
    for (const a of ['anonymous', 'test-viewer', 'test-operator', 'test-admin']) assert.ok(actors.has(a), `no record by ${a}: ${[...actors]}`);
    const dump = JSON.stringify(records);
    const history = (await call(t, 'GET', '/v1/history?limit=500', undefined, bearer('admin'))).text;
    for (const token of Object.values(t.tokens)) {
      assert.ok(!dump.includes(token!), 'a token is stored in the audit log');
      assert.ok(!history.includes(token!), 'a token is served by /v1/history');
      assert.ok(!dump.includes(token!.slice(4, 24)), 'part of a token is stored');
    }
    assert.ok(!/gvh_[\w-]{16,}/.test(dump), 'something token-shaped is stored');
  });
});
