/**
 * Idempotency-Key on mutations, through the app: a replay answers the first answer and runs
 * nothing, another request with the key is 422, and a bad key is 400; on both protocols.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, type TestApp } from '../support/app.ts';
import { uniqueName } from '../support/guest.ts';
import { assertError, call, goPayload, removeDomain, testDomainXml } from '../support/http.ts';

describe('Idempotency-Key', () => {
  let t: TestApp;
  const name = uniqueName('idem');
  const other = uniqueName('idem-other');
  const state = async (n: string) => (await call(t, 'GET', `/v1/domains/${n}`)).body.state as string;

  before(async () => {
    t = await buildTestApp();
    for (const n of [name, other]) assert.equal((await call(t, 'POST', '/v1/domains', { xml: testDomainXml(n) })).status, 201);
  });
  after(async () => {
    for (const n of [name, other]) await removeDomain(t, n);
    await t.close();
  });

  test('a replayed start after the guest was stopped answers the first answer and does not start it', async () => {
    const key = { 'idempotency-key': `start-${name}` };
    const first = await call(t, 'POST', `/v1/domains/${name}/actions/start`, {}, key);
    assert.equal(first.status, 200, first.text);
    assert.equal(first.headers.get('idempotency-replayed'), null);
    assert.equal((await call(t, 'POST', `/v1/domains/${name}/actions/destroy`, {})).status, 200);
    const again = await call(t, 'POST', `/v1/domains/${name}/actions/start`, {}, key);
    assert.equal(again.status, 200);
    assert.equal(again.headers.get('idempotency-replayed'), 'true');
    assert.equal(again.text, first.text, 'the same body, auditId and requestId included');
    assert.equal(again.body.auditId, first.body.auditId);
    assert.equal(await state(name), 'shut off', 'nothing ran');
    const starts = t.deps.audit.query({ limit: 50, domain: name, action: 'start' }).records;
    assert.equal(starts.length, 1, 'one audit record for the two calls');
  });

  test('the same key on another domain, or with another body, is 422; nothing runs', async () => {
    const key = { 'idempotency-key': `reuse-${name}` };
    const refused = await call(t, 'POST', `/v1/domains/${name}/actions/start`, { bogus: 1 }, key); // a refusal is an answer too, and is kept
    assertError(refused, 400, 'VALIDATION_FAILED', 'bogus');
    assertError(await call(t, 'POST', `/v1/domains/${other}/actions/start`, { bogus: 1 }, key), 422, 'IDEMPOTENCY_KEY_REUSED', 'Idempotency-Key');
    assertError(await call(t, 'POST', `/v1/domains/${name}/actions/start`, {}, key), 422, 'IDEMPOTENCY_KEY_REUSED');
    const replay = await call(t, 'POST', `/v1/domains/${name}/actions/start`, { bogus: 1 }, key);
    assert.deepEqual([replay.status, replay.text, replay.headers.get('idempotency-replayed')], [400, refused.text, 'true']);
    assert.equal(await state(other), 'shut off');
  });

  test('the seed protocol honours the key too', async () => {
    const key = { 'idempotency-key': `seed-${other}` };
    const payload = goPayload({ action: 'start', domain: other });
    const first = await call(t, 'POST', '/', payload, key);
    assert.equal(first.status, 200, first.text);
    assert.equal((await call(t, 'POST', `/v1/domains/${other}/actions/destroy`, {})).status, 200);
    const again = await call(t, 'POST', '/', payload, key);
    assert.deepEqual([again.status, again.text, again.headers.get('idempotency-replayed')], [200, first.text, 'true']);
    assert.equal(await state(other), 'shut off');
  });

  test('a key that is empty, too long or not printable ASCII is 400 naming the header', async () => {
    for (const bad of ['a b', 'k'.repeat(256), 'é']) {
      assertError(await call(t, 'POST', `/v1/domains/${name}/actions/start`, {}, { 'idempotency-key': bad }), 400, 'VALIDATION_FAILED', 'Idempotency-Key');
    }
  });
});
