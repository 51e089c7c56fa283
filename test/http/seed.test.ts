/**
 * The seed protocol on `/`, through app.request(), against libvirt's test driver in the private
 * libvirtd: the shapes Go's encoding/json decodes, field by field and byte by byte where it matters.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { buildTestApp, type TestApp } from '../support/app.ts';
import { uniqueName } from '../support/guest.ts';
import { assertError, call, goPayload, oneAudit, removeDomain, testDomainXml, type Answer } from '../support/http.ts';

const METAL_KEYS = ['Uptime', 'Loads', 'Procs', 'TotalRam', 'FreeRam', 'SharedRam', 'BufferRam', 'TotalSwap', 'FreeSwap', 'TotalHighRam', 'FreeHighRam'];

describe('seed protocol', () => {
  let t: TestApp;
  const made: string[] = [];
  const fresh = (prefix: string) => { const n = uniqueName(prefix); made.push(n); return n; };
  const post = (payload: string) => call(t, 'POST', '/', payload);
  const vm = async () => (await call(t, 'GET', '/?target=vm')).body.domains as Array<{ domain: { Name: string; UUID: number[]; ID: number }; state: string }>;
  const seedState = async (name: string) => (await vm()).find((d) => d.domain.Name === name);

  /** A 200 action answer: action, domain, state and the audit id of a record that says the same. */
  const assertActed = (a: Answer, action: string, domain: string, state: string) => {
    assert.equal(a.status, 200, a.text);
    assert.equal(a.body.action, action);
    assert.equal(a.body.domain, domain);
    assert.equal(a.body.state, state);
    assert.ok(Number.isInteger(a.body.auditId) && a.body.auditId > 0);
    const rec = t.deps.audit.get(a.body.auditId);
    assert.ok(rec);
    // rec.domain for define/create from XML alone is checked in audit.test.ts.
    assert.deepEqual([rec.action, rec.outcome, rec.protocol, rec.httpStatus], [action, 'succeeded', 'seed', 200]);
    assert.equal(rec.result?.state, state);
  };

  before(async () => { t = await buildTestApp(); });
  after(async () => {
    for (const n of made) await removeDomain(t, n);
    await t.close();
  });

  test('GET vm: {"domains":[{"domain":{"Name","UUID","ID"},"state"}]} with Go key order', async () => {
    const a = await call(t, 'GET', '/?target=vm');
    assert.equal(a.status, 200);
    assert.match(a.headers.get('content-type') ?? '', /^application\/json/);
    assert.match(a.text, /^\{"domains":\[\{"domain":\{"Name":"[^"]*","UUID":\[(\d{1,3},){15}\d{1,3}\],"ID":-?\d+\},"state":"[a-z ]+"\}/);
    assert.deepEqual(Object.keys(a.body), ['domains']);
    const test0 = a.body.domains.find((d: any) => d.domain.Name === 'test');
    assert.ok(test0, a.text);
    assert.deepEqual(Object.keys(test0), ['domain', 'state']);
    assert.deepEqual(Object.keys(test0.domain), ['Name', 'UUID', 'ID']);
    assert.equal(test0.domain.UUID.length, 16);
    for (const b of test0.domain.UUID) assert.ok(Number.isInteger(b) && b >= 0 && b <= 255);
    const dom = await t.deps.libvirt.lookupDomain('test');
    assert.deepEqual(test0.domain.UUID, Array.from(dom.uuid));
    assert.equal(test0.domain.ID, dom.id);
    assert.ok(test0.domain.ID > 0);
    assert.equal(test0.state, 'running');
  });

  test('GET vm state strings as virsh prints them: paused, shut off (ID -1), running', async () => {
    assert.equal((await post(goPayload({ action: 'suspend', domain: 'test' }))).status, 200);
    assert.equal((await seedState('test'))?.state, 'paused');
    assert.equal((await post(goPayload({ action: 'resume', domain: 'test' }))).status, 200);
    assert.equal((await post(goPayload({ action: 'destroy', domain: 'test' }))).status, 200);
    const off = await seedState('test');
    assert.deepEqual([off?.state, off?.domain.ID], ['shut off', -1]);
    assert.equal((await post(goPayload({ action: 'start', domain: 'test' }))).status, 200);
    const on = await seedState('test');
    assert.equal(on?.state, 'running');
    assert.ok((on?.domain.ID ?? 0) > 0);
  });

  test('GET xml: raw XML with Content-Type application/xml', async () => {
    const a = await call(t, 'GET', '/?target=xml&domain=test');
    assert.equal(a.status, 200);
    assert.match(a.headers.get('content-type') ?? '', /^application\/xml/);
    assert.match(a.text, /^<domain type='test'/);
    assert.match(a.text, /<name>test<\/name>/);
    assert.equal(a.text, await t.deps.libvirt.domainXml(await t.deps.libvirt.lookupDomain('test')));
  });

  test('GET metal: Go SI keys in order, Uptime in whole-second ns, memory in kB as /proc says', async () => {
    const a = await call(t, 'GET', '/?target=metal');
    assert.equal(a.status, 200);
    assert.match(a.text, /^\{"hostmemoryInfo":\{"Uptime":\d+,"Loads":\[[\d.]+,[\d.]+,[\d.]+\],"Procs":\d+,/);
    assert.deepEqual(Object.keys(a.body), ['hostmemoryInfo']);
    const si = a.body.hostmemoryInfo;
    assert.deepEqual(Object.keys(si), METAL_KEYS);
    const uptimeNs = BigInt(/"Uptime":(\d+)/.exec(a.text)![1]!);
    assert.equal(uptimeNs % 1_000_000_000n, 0n);
    const procUptime = Number(fs.readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
    assert.ok(Math.abs(Number(uptimeNs / 1_000_000_000n) - procUptime) <= 2, `${uptimeNs} vs ${procUptime}`);
    assert.equal(si.Loads.length, 3);
    const mem = Object.fromEntries([...fs.readFileSync('/proc/meminfo', 'utf8').matchAll(/^(\w+):\s+(\d+)/gm)].map((m) => [m[1], Number(m[2])]));
    assert.equal(si.TotalRam, mem.MemTotal);
    assert.equal(si.TotalSwap, mem.SwapTotal);
    assert.ok(Math.abs(si.FreeRam - mem.MemFree!) < 256 * 1024, `FreeRam ${si.FreeRam} vs ${mem.MemFree}`);
    assert.ok(Math.abs(si.BufferRam - mem.Buffers!) < 64 * 1024);
    assert.ok(Math.abs(si.SharedRam - mem.Shmem!) < 64 * 1024);
    assert.equal(si.TotalHighRam, mem.HighTotal ?? 0);
    for (const k of METAL_KEYS.filter((k) => k !== 'Loads')) assert.ok(Number.isInteger(si[k]) && si[k] >= 0, k);
  });

  test('GET errors: target missing or unknown, xml without domain, unknown domain, unknown field', async () => {
    assertError(await call(t, 'GET', '/'), 400, 'VALIDATION_FAILED', 'target');
    assertError(await call(t, 'GET', '/?target=disk'), 400, 'VALIDATION_FAILED', 'target');
    assertError(await call(t, 'GET', '/?target=xml'), 400, 'VALIDATION_FAILED', 'domain');
    assertError(await call(t, 'GET', '/?target=xml&domain=no-such-domain'), 404, 'NOT_FOUND');
    assertError(await call(t, 'GET', '/?target=vm&colour=red'), 400, 'VALIDATION_FAILED', 'colour');
    assert.equal((await call(t, 'GET', '/?target=vm&domain=')).status, 200, 'a zero-value domain is "not given"');
  });

  test('POST define (raw XML), start, reset, shutdown, destroy, undefine with zero-valued Go payloads', async () => {
    const n = fresh('seed-pwr');
    assertActed(await post(goPayload({ action: 'define', form: { xml: testDomainXml(n) } })), 'define', n, 'shut off');
    assertActed(await post(goPayload({ action: 'start', domain: n })), 'start', n, 'running');
    assertActed(await post(goPayload({ action: 'reset', domain: n })), 'reset', n, 'running');
    const down = await post(goPayload({ action: 'shutdown', domain: n }));
    assertActed(down, 'shutdown', n, 'shut off');
    assertActed(await post(goPayload({ action: 'start', domain: n })), 'start', n, 'running');
    assertActed(await post(goPayload({ action: 'destroy', domain: n })), 'destroy', n, 'shut off');
    assert.deepEqual((await seedState(n))?.domain.ID, -1);
    assertActed(await post(goPayload({ action: 'undefine', domain: n })), 'undefine', n, 'undefined');
    assert.equal(await seedState(n), undefined);
  });

  test('define without XML restores what the agent undefined; never undefined → clear 404', async () => {
    const n = fresh('seed-restore');
    const xml = testDomainXml(n, '<description>kept across undefine</description>');
    assert.equal((await post(goPayload({ action: 'define', form: { xml } }))).status, 200);
    assertActed(await post(goPayload({ action: 'undefine', domain: n })), 'undefine', n, 'undefined');
    assertActed(await post(goPayload({ action: 'define', domain: n })), 'define', n, 'shut off');
    const back = await call(t, 'GET', `/?target=xml&domain=${n}`);
    assert.match(back.text, /<description>kept across undefine<\/description>/);
    const never = assertError(await post(goPayload({ action: 'define', domain: fresh('seed-never') })), 404, 'NOT_FOUND', 'xml');
    assert.match(never.message, /not undefined through this agent/);
  });

  test('createvmform.xml as base64 ([]byte) for define and create; invalid base64 is named', async () => {
    const d = fresh('seed-b64d');
    assertActed(await post(goPayload({ action: 'define', form: { xml: Buffer.from(testDomainXml(d)).toString('base64') } })), 'define', d, 'shut off');
    const c = fresh('seed-b64c');
    assertActed(await post(goPayload({ action: 'create', form: { xml: Buffer.from(testDomainXml(c)).toString('base64') } })), 'create', c, 'running');
    const r = fresh('seed-rawc');
    assertActed(await post(goPayload({ action: 'create', form: { xml: testDomainXml(r) } })), 'create', r, 'running');
    assertError(await post(goPayload({ action: 'define', form: { xml: 'not base64!' } })), 400, 'VALIDATION_FAILED', 'createvmform.xml');
    assertError(await post(goPayload({ action: 'define', form: { xml: Buffer.from([0xff, 0xfe, 0x00, 0x80]).toString('base64') } })), 400, 'VALIDATION_FAILED', 'createvmform.xml');
    assertError(await post(goPayload({ action: 'define', domain: 'other-name', form: { xml: testDomainXml(fresh('seed-mismatch')) } })), 400, 'VALIDATION_FAILED', 'domain');
  });

  test('POST migrate: target required; the test driver cannot migrate peer to peer (501, found by the pre-check)', async () => {
    assertError(await post(goPayload({ action: 'migrate', domain: 'test' })), 400, 'VALIDATION_FAILED', 'target');
    const err = assertError(await post(goPayload({ action: 'migrate', domain: 'test', target: 'gvh-b' })), 501, 'UNSUPPORTED');
    assert.match(err.message, /cannot migrate peer to peer/);
    assert.equal(oneAudit(t, err.requestId).target, 'gvh-b');
  });

  test('POST rejects unknown fields (top level and in createvmform), bad types, unknown or missing actions', async () => {
    const full = JSON.parse(goPayload({ action: 'start', domain: 'test' }));
    assertError(await post(JSON.stringify({ ...full, colour: 'red' })), 400, 'VALIDATION_FAILED', 'colour');
    assertError(await post(JSON.stringify({ ...full, createvmform: { ...full.createvmform, disk: 'x' } })), 400, 'VALIDATION_FAILED', 'createvmform.disk');
    assertError(await post(JSON.stringify({ ...full, createvmform: { ...full.createvmform, cpucount: '2' } })), 400, 'VALIDATION_FAILED', 'createvmform.cpucount');
    assertError(await post(goPayload({ action: 'fly', domain: 'test' })), 400, 'UNKNOWN_ACTION', 'action');
    assertError(await post(goPayload({ action: 'list-domains', domain: 'test' })), 400, 'UNKNOWN_ACTION', 'action');
    assertError(await post(goPayload({ domain: 'test' })), 400, 'UNKNOWN_ACTION', 'action');
    assertError(await post(goPayload({ action: 'start', domain: 'no-such-domain' })), 404, 'NOT_FOUND');
  });

  test('DELETE {"domain"} undefines (zero-valued Go payload too); other actions or a target are refused', async () => {
    const a = fresh('seed-del-a');
    const b = fresh('seed-del-b');
    for (const n of [a, b]) assert.equal((await post(goPayload({ action: 'define', form: { xml: testDomainXml(n) } }))).status, 200);
    assertActed(await call(t, 'DELETE', '/', { domain: a }), 'undefine', a, 'undefined');
    assertError(await call(t, 'DELETE', '/', goPayload({ action: 'start', domain: b })), 400, 'VALIDATION_FAILED', 'action');
    assertError(await call(t, 'DELETE', '/', goPayload({ target: 'gvh-b', domain: b })), 400, 'VALIDATION_FAILED', 'target');
    assert.ok(await seedState(b), 'a refused DELETE leaves the domain defined');
    assertActed(await call(t, 'DELETE', '/', goPayload({ domain: b })), 'undefine', b, 'undefined');
    assertError(await call(t, 'DELETE', '/', { domain: b }), 404, 'NOT_FOUND');
  });

  test('X-Request-Id: a sane one is echoed in the header and the envelope; an insane one is replaced', async () => {
    const sane = await call(t, 'GET', '/?target=nope', undefined, { 'x-request-id': 'go-client-42' });
    assert.equal(sane.headers.get('x-request-id'), 'go-client-42');
    assert.equal(assertError(sane, 400, 'VALIDATION_FAILED').requestId, 'go-client-42');
    const ok = await call(t, 'GET', '/?target=vm', undefined, { 'x-request-id': 'abc-123' });
    assert.equal(ok.headers.get('x-request-id'), 'abc-123');
    for (const bad of ['has spaces in it', 'x'.repeat(300), '<script>']) {
      const a = await call(t, 'GET', '/?target=vm', undefined, { 'x-request-id': bad });
      const id = a.headers.get('x-request-id') ?? '';
      assert.notEqual(id, bad);
      assert.match(id, /^[\w-]{8,128}$/);
    }
  });

  test('Go HTML escaping: a name with & and < is \\u0026 and \\u003c in seed JSON', async () => {
    const suffix = uniqueName('esc');
    const name = `a&b<c-${suffix}`;
    made.push(name);
    const xmlName = name.replace(/&/g, '&amp;').replace(/</g, '&lt;');
    const def = await post(goPayload({ action: 'define', form: { xml: testDomainXml(xmlName) } }));
    assertActed(def, 'define', name, 'shut off');
    assert.ok(def.text.includes(`"domain":"a\\u0026b\\u003cc-${suffix}"`), def.text);
    const list = await call(t, 'GET', '/?target=vm');
    assert.ok(list.text.includes(`"Name":"a\\u0026b\\u003cc-${suffix}"`), 'escaped in the vm list');
    assert.ok(!list.text.includes('&') && !list.text.includes('<'), 'no raw & or < anywhere');
    const xml = await call(t, 'GET', `/?target=xml&domain=${encodeURIComponent(name)}`);
    assert.equal(xml.status, 200);
    assert.ok(xml.text.includes(`<name>${xmlName}</name>`));
  });
});
