/**
 * The REST API under /v1 through app.request(): reads, every domain action with its resulting state,
 * define/create/delete, bad input per field, error mapping, DOMAIN_BUSY, shutdown's wait and force on
 * a real QEMU guest, and the OpenAPI document.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, type TestApp } from '../support/app.ts';
import { tinyGuestXml, uniqueName } from '../support/guest.ts';
import { assertError, call, oneAudit, removeDomain, testDomainXml } from '../support/http.ts';
import { sleep } from '../support/wait.ts';

const VIEW_FIELDS = ['name', 'uuid', 'id', 'state', 'reason', 'persistent', 'autostart', 'vcpus', 'memoryKiB'];

describe('REST on the test driver', () => {
  let t: TestApp;
  const name = uniqueName('rest');
  const created = uniqueName('rest-c');
  const act = (dom: string, action: string, body?: unknown) => call(t, 'POST', `/v1/domains/${encodeURIComponent(dom)}/actions/${action}`, body);
  const stateOf = async (dom: string) => (await call(t, 'GET', `/v1/domains/${dom}`)).body.state as string;

  before(async () => { t = await buildTestApp(); });
  after(async () => {
    for (const n of [name, created]) await removeDomain(t, n);
    await t.close();
  });

  test('GET /v1/domains lists every domain with its fields', async () => {
    const a = await call(t, 'GET', '/v1/domains');
    assert.equal(a.status, 200);
    const d = a.body.domains.find((x: any) => x.name === 'test');
    assert.ok(d, a.text);
    for (const f of VIEW_FIELDS) assert.ok(f in d, `missing ${f}`);
    assert.match(d.uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.ok(Number.isInteger(d.id) && d.id > 0);
    assert.deepEqual([d.state, d.persistent, d.autostart, d.vcpus], ['running', true, false, 2]);
    assert.equal(typeof d.reason, 'string');
    assert.ok(Number.isInteger(d.memoryKiB) && d.memoryKiB > 0);
  });

  test('GET /v1/domains/{name}, its XML, and 404 for an unknown one', async () => {
    const one = await call(t, 'GET', '/v1/domains/test');
    assert.equal(one.status, 200);
    const listed = (await call(t, 'GET', '/v1/domains')).body.domains.find((x: any) => x.name === 'test');
    for (const f of VIEW_FIELDS) assert.deepEqual(one.body[f], listed[f], f);
    const xml = await call(t, 'GET', '/v1/domains/test/xml');
    assert.equal(xml.status, 200);
    assert.match(xml.headers.get('content-type') ?? '', /^application\/xml/);
    assert.match(xml.text, /^<domain type='test'/);
    assertError(await call(t, 'GET', '/v1/domains/no-such-domain'), 404, 'NOT_FOUND');
    assertError(await call(t, 'GET', '/v1/domains/no-such-domain/xml'), 404, 'NOT_FOUND');
  });

  test('GET /v1/host: sysinfo figures, node info, libvirt connection', async () => {
    const a = await call(t, 'GET', '/v1/host');
    assert.equal(a.status, 200);
    assert.deepEqual(Object.keys(a.body).sort(), ['libvirt', 'node', 'source', 'sysinfo', 'takenAt']);
    assert.equal(a.body.source, 'fresh');
    assert.ok(a.body.sysinfo.TotalRam > 0);
    assert.ok(Number.isInteger(a.body.sysinfo.Uptime));
    assert.ok(a.body.node.cpus > 0);
    assert.ok(a.body.node.memoryKiB > 0);
    assert.equal(a.body.libvirt.hostname, 'gvh-a');
  });

  test('POST /v1/domains {xml} defines (201)', async () => {
    const a = await call(t, 'POST', '/v1/domains', { xml: testDomainXml(name) });
    assert.equal(a.status, 201, a.text);
    assert.deepEqual([a.body.action, a.body.domain, a.body.state], ['define', name, 'shut off']);
    assert.ok(a.body.auditId > 0);
    assert.equal(a.body.requestId, a.headers.get('x-request-id'));
    const got = await call(t, 'GET', `/v1/domains/${name}`);
    assert.deepEqual([got.body.persistent, got.body.id, got.body.state], [true, null, 'shut off']);
  });

  test('each action answers 200 with the resulting state', async () => {
    const steps: Array<[string, string]> = [
      ['start', 'running'], ['suspend', 'paused'], ['resume', 'running'], ['reboot', 'running'],
      ['reset', 'running'], ['shutdown', 'shut off'], ['start', 'running'], ['destroy', 'shut off'],
    ];
    for (const [action, state] of steps) {
      const a = await act(name, action);
      assert.equal(a.status, 200, `${action}: ${a.text}`);
      assert.deepEqual([a.body.action, a.body.domain, a.body.state], [action, name, state], action);
      assert.equal(await stateOf(name), state, `after ${action}`);
    }
  });

  test('shutdown with wait on the test driver (it stops at once) answers "stopped"', async () => {
    assert.equal((await act(name, 'start')).status, 200);
    const a = await act(name, 'shutdown', { wait: 2 });
    assert.equal(a.status, 200, a.text);
    assert.deepEqual([a.body.shutdown, a.body.state], ['stopped', 'shut off']);
    // The test driver reports "not running" as an internal error (code 1): passed on as 502 with its message.
    const again = assertError(await act(name, 'shutdown', {}), 502, 'LIBVIRT_ERROR');
    assert.deepEqual([again.libvirtCode, /not running/.test(again.message)], [1, true]);
  });

  test('bad input is 400 naming the field', async () => {
    const cases: Array<[unknown, string]> = [
      [{ wait: -1 }, 'wait'], [{ wait: 'x' }, 'wait'], [{ wait: 1.5 }, 'wait'], [{ wait: 3601 }, 'wait'],
      [{ force: 'yes' }, 'force'], [{ colour: 'red' }, 'colour'], [{ domain: name }, 'domain'],
    ];
    for (const [body, field] of cases) assertError(await act(name, 'shutdown', body), 400, 'VALIDATION_FAILED', field);
    assertError(await act(name, 'start', { force: true }), 400, 'VALIDATION_FAILED', 'force');
    assertError(await act(name, 'start', '[1,2]'), 400, 'BAD_REQUEST');
    assertError(await call(t, 'POST', '/v1/domains', { xml: testDomainXml(created), start: 'yes' }), 400, 'VALIDATION_FAILED', 'start');
    assertError(await call(t, 'POST', '/v1/domains', { xml: '<notadomain/>' }), 400, 'INVALID_XML', 'xml');
    assertError(await call(t, 'POST', '/v1/domains', {}), 400, 'VALIDATION_FAILED');
  });

  test('unknown domain → 404, unknown action → 400 UNKNOWN_ACTION, wrong state → 409 (libvirt 55)', async () => {
    assertError(await act('no-such-domain', 'start'), 404, 'NOT_FOUND', 'domain');
    assertError(await act(name, 'teleport'), 400, 'UNKNOWN_ACTION', 'action');
    assertError(await act(name, 'list-domains'), 400, 'UNKNOWN_ACTION');
    const err = assertError(await act(name, 'reboot'), 409, 'CONFLICT');
    assert.equal(err.libvirtCode, 55);
  });

  test('POST /v1/domains {xml, start: true} creates (201, running); DELETE undefines', async () => {
    const a = await call(t, 'POST', '/v1/domains', { xml: testDomainXml(created), start: true });
    assert.equal(a.status, 201, a.text);
    assert.deepEqual([a.body.action, a.body.domain, a.body.state], ['create', created, 'running']);
    assertError(await call(t, 'POST', '/v1/domains', { xml: testDomainXml(created), start: true }), 409, 'ALREADY_EXISTS');
    assert.equal((await act(created, 'destroy')).status, 200);
    const del = await call(t, 'DELETE', `/v1/domains/${created}`);
    assert.equal(del.status, 200, del.text);
    assert.deepEqual([del.body.action, del.body.state], ['undefine', 'undefined']);
    assertError(await call(t, 'GET', `/v1/domains/${created}`), 404, 'NOT_FOUND');
    assertError(await call(t, 'DELETE', `/v1/domains/${created}`), 404, 'NOT_FOUND');
  });

  test('GET /openapi.json: OpenAPI 3.1 with every action path and the shutdown body schema', async () => {
    const a = await call(t, 'GET', '/openapi.json');
    assert.equal(a.status, 200);
    assert.match(a.body.openapi, /^3\.1\.\d+$/);
    assert.equal(typeof a.body.info.title, 'string');
    for (const action of ['start', 'shutdown', 'reboot', 'reset', 'destroy', 'suspend', 'resume', 'migrate']) {
      assert.ok(a.body.paths[`/v1/domains/{name}/actions/${action}`]?.post, action);
    }
    for (const p of ['/v1/domains', '/v1/domains/{name}', '/v1/domains/{name}/xml', '/v1/host', '/v1/history', '/v1/history/{id}']) assert.ok(a.body.paths[p], p);
    assert.ok(a.body.paths['/v1/domains/{name}/migrate-check'].post, 'migrate-check');
    assert.ok(a.body.paths['/v1/domains/{name}/migration'].get, 'migration');
    const migrate = a.body.paths['/v1/domains/{name}/actions/migrate'].post.requestBody.content['application/json'].schema;
    for (const option of ['target', 'live', 'persist', 'undefineSource', 'bandwidth', 'timeout', 'copyStorage']) assert.ok(option in migrate.properties, option);
    assert.ok(!('domain' in migrate.properties));
    const schema = a.body.paths['/v1/domains/{name}/actions/shutdown'].post.requestBody.content['application/json'].schema;
    assert.deepEqual(schema.properties.wait.type, 'integer');
    assert.equal(schema.properties.wait.minimum, 0);
    assert.equal(schema.properties.force.type, 'boolean');
  });

  test('OpenAPI request bodies match what the endpoints accept (domain is in the path; start is allowed)', async () => {
    const paths = (await call(t, 'GET', '/openapi.json')).body.paths;
    const body = (p: string) => paths[p].post.requestBody.content['application/json'].schema;
    const shutdown = body('/v1/domains/{name}/actions/shutdown');
    assert.ok(!(shutdown.required ?? []).includes('domain'), 'the documented shutdown body requires "domain", which the endpoint rejects');
    assert.ok(!('domain' in shutdown.properties), 'the documented shutdown body offers "domain", which the endpoint rejects');
    assert.ok('start' in body('/v1/domains').properties, 'POST /v1/domains accepts "start" but the schema forbids it');
  });
});

describe('REST on a real QEMU guest', () => {
  let q: TestApp;
  const name = uniqueName('rest-q');
  const act = (app: TestApp, action: string, body?: unknown) => call(app, 'POST', `/v1/domains/${name}/actions/${action}`, body);

  before(async () => { q = await buildTestApp({ uriVar: 'GVH_A_URI' }); });
  after(async () => {
    await removeDomain(q, name);
    await q.close();
  });

  test('create the tiny guest; resume while running → 409 CONFLICT with libvirt code 55', async () => {
    const a = await call(q, 'POST', '/v1/domains', { xml: tinyGuestXml(name), start: true });
    assert.equal(a.status, 201, a.text);
    assert.equal(a.body.state, 'running');
    const err = assertError(await act(q, 'resume'), 409, 'CONFLICT');
    assert.equal(err.libvirtCode, 55);
  });

  test('shutdown {wait: 2}: the guest ignores ACPI → "still-running" after about 2 s', async () => {
    const t0 = performance.now();
    const a = await act(q, 'shutdown', { wait: 2 });
    const ms = performance.now() - t0;
    assert.equal(a.status, 200, a.text);
    assert.deepEqual([a.body.shutdown, a.body.state], ['still-running', 'running']);
    assert.ok(ms >= 1900 && ms < 4000, `took ${ms} ms`);
    assert.equal(oneAudit(q, a.body.requestId).result?.shutdown, 'still-running');
  });

  test('DOMAIN_BUSY: a second mutation during a waiting shutdown is refused at once, and audited', async () => {
    const slow = act(q, 'shutdown', { wait: 3 });
    await sleep(300);
    const t0 = performance.now();
    const busy = await act(q, 'destroy');
    const ms = performance.now() - t0;
    const err = assertError(busy, 409, 'DOMAIN_BUSY', 'domain');
    assert.ok(ms < 500, `refusal took ${ms} ms`);
    const rec = oneAudit(q, err.requestId);
    assert.deepEqual([rec.action, rec.outcome, rec.errorCode, rec.httpStatus], ['destroy', 'rejected', 'DOMAIN_BUSY', 409]);
    assert.equal((await slow).body.shutdown, 'still-running');
    assert.equal((await act(q, 'reset')).status, 200, 'the lock is released afterwards');
  });

  test('a shutdown wait the action time limit cannot cover is refused at once: 400 on wait', async () => {
    const limited = await buildTestApp({ uriVar: 'GVH_A_URI', maxActionMs: 1000 });
    try {
      const t0 = performance.now();
      const a = await act(limited, 'shutdown', { wait: 4 });
      assertError(a, 400, 'VALIDATION_FAILED', 'wait');
      assert.ok(performance.now() - t0 < 500, 'refused before anything ran');
    } finally {
      await limited.close();
    }
  });

  test('shutdown {wait: 2, force: true} → "forced", and the guest is shut off', async () => {
    const a = await act(q, 'shutdown', { wait: 2, force: true });
    assert.equal(a.status, 200, a.text);
    assert.deepEqual([a.body.shutdown, a.body.state], ['forced', 'shut off']);
    assert.equal((await call(q, 'GET', `/v1/domains/${name}`)).body.state, 'shut off');
    const rec = oneAudit(q, a.body.requestId);
    assert.deepEqual([rec.outcome, rec.result?.shutdown], ['succeeded', 'forced']);
    assert.equal((await call(q, 'DELETE', `/v1/domains/${name}`)).status, 200);
  });
});
