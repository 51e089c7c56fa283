/**
 * Hostile input over both protocols, against libvirt's test driver: domain XML the guard refuses
 * (400 INVALID_XML, field xml or createvmform.xml) and migration targets that are not host names
 * (400 VALIDATION_FAILED, field target) never reach libvirt; the calls the agent makes are counted
 * on the test's own Libvirt, and nothing is defined.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, type TestApp } from '../support/app.ts';
import { uniqueName } from '../support/guest.ts';
import { assertError, call, goPayload, oneAudit, removeDomain, testDomainXml, type Answer } from '../support/http.ts';

/** Counts the calls to some methods of `target`, by name, while still calling them. */
function countCalls<T extends object>(target: T, names: Array<keyof T & string>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const name of names) {
    const original = target[name] as unknown as (...args: unknown[]) => unknown;
    counts[name] = 0;
    Object.defineProperty(target, name, {
      configurable: true,
      value: (...args: unknown[]) => { counts[name]! += 1; return original.apply(target, args); },
    });
  }
  return counts;
}

/** A document with a unique <name>, so that "nothing was defined" can be checked by name. */
function hostileDocuments(name: string): Array<[string, string]> {
  return [
    ['billion laughs', `<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>${testDomainXml(`${name}&b;`)}`],
    ['external entity', `<!DOCTYPE domain [<!ENTITY x SYSTEM "file:///etc/passwd">]>${testDomainXml(`${name}&x;`)}`],
    ['parameter entity over http', `<!DOCTYPE domain [<!ENTITY % p SYSTEM "http://127.0.0.1:9/evil.dtd"> %p;]>${testDomainXml(name)}`],
    ['processing instruction', `<?xml-stylesheet href="http://127.0.0.1:9/x.xsl"?>${testDomainXml(name)}`],
    ['10,000-deep nesting', testDomainXml(name, `${'<x>'.repeat(10_000)}${'</x>'.repeat(10_000)}`)],
    ['NUL byte', testDomainXml(name, '<description>a\u0000b</description>')],
    ['text after the root', `${testDomainXml(name)}<domain/>`],
    ['wrong root', `<network><name>${name}</name></network>`],
  ];
}

describe('hostile input never reaches libvirt', () => {
  let t: TestApp;
  let uris: TestApp;
  let calls: Record<string, number>;
  const made: string[] = [];
  const fresh = (prefix: string) => { const n = uniqueName(prefix); made.push(n); return n; };
  const libvirtCalls = () => Object.values(calls).reduce((a, b) => a + b, 0);

  /** Asserts a refusal with no libvirt call and an audit record that says rejected with `code`. */
  const refusedBeforeLibvirt = async (send: () => Promise<Answer>, status: number, code: string, field: string) => {
    const before = libvirtCalls();
    const err = assertError(await send(), status, code, field);
    assert.equal(libvirtCalls(), before, `libvirt was asked: ${JSON.stringify(calls)}`);
    const rec = oneAudit(t, err.requestId);
    assert.deepEqual([rec.outcome, rec.errorCode, rec.httpStatus], ['rejected', code, status]);
    return err;
  };

  before(async () => {
    t = await buildTestApp();
    uris = await buildTestApp({ settings: { allowUriTargets: true } });
    calls = countCalls(t.deps.libvirt, ['defineXml', 'createXml', 'lookupDomain', 'start', 'undefine']);
  });
  after(async () => {
    for (const n of made) await removeDomain(t, n);
    await t.close();
    await uris.close();
  });

  test('REST POST /v1/domains {xml}: define and create refuse each hostile document with 400 INVALID_XML, field xml', async () => {
    const name = fresh('hx-rest');
    for (const [what, xml] of hostileDocuments(name)) {
      for (const body of [{ xml }, { xml, start: true }]) {
        const err = await refusedBeforeLibvirt(() => call(t, 'POST', '/v1/domains', body), 400, 'INVALID_XML', 'xml');
        assert.match(err.message, /^xml: the XML /, what);
        assert.ok(err.message.length < 400, `${what}: a short message (${err.message.length})`);
        assert.ok(!err.message.includes('\u0000'), what);
      }
    }
    assertError(await call(t, 'GET', `/v1/domains/${name}`), 404, 'NOT_FOUND');
  });

  test('seed POST / createvmform.xml, raw or base64: 400 INVALID_XML, field createvmform.xml', async () => {
    const name = fresh('hx-seed');
    for (const [what, xml] of hostileDocuments(name)) {
      for (const action of ['define', 'create']) {
        for (const form of [{ xml }, { xml: Buffer.from(xml).toString('base64') }]) {
          const err = await refusedBeforeLibvirt(() => call(t, 'POST', '/', goPayload({ action, form })), 400, 'INVALID_XML', 'createvmform.xml');
          assert.match(err.message, /^createvmform\.xml: the XML /, `${what}, ${action}`);
        }
      }
    }
    const vm = await call(t, 'GET', '/?target=vm');
    assert.ok(!vm.body.domains.some((d: { domain: { Name: string } }) => d.domain.Name.startsWith(name)), 'nothing defined');
  });

  test('the message shows only a short escaped excerpt of the document', async () => {
    const secret = 'S'.repeat(500);
    const err = assertError(await call(t, 'POST', '/v1/domains', { xml: `<!DOCTYPE x [${secret}]><domain/>` }), 400, 'INVALID_XML', 'xml');
    assert.match(err.message, /has a DOCTYPE.*\(line 1, column 1: "<!DOCTYPE x \[S+"…\)$/);
    assert.ok(!err.message.includes('S'.repeat(60)), err.message);
  });

  test('a valid domain XML still defines and creates as before, on both protocols', async () => {
    const a = fresh('hx-ok-a');
    const b = fresh('hx-ok-b');
    const rest = await call(t, 'POST', '/v1/domains', { xml: `<?xml version="1.0"?>\n<!-- ok -->\n${testDomainXml(a, '<description><![CDATA[<x> & y]]></description>')}` });
    assert.equal(rest.status, 201, rest.text);
    assert.deepEqual([rest.body.action, rest.body.domain], ['define', a]);
    const seed = await call(t, 'POST', '/', goPayload({ action: 'create', form: { xml: Buffer.from(testDomainXml(b)).toString('base64') } }));
    assert.equal(seed.status, 200, seed.text);
    assert.deepEqual([seed.body.action, seed.body.domain, seed.body.state], ['create', b, 'running']);
    assertError(await call(t, 'POST', '/v1/domains', { xml: testDomainXml(fresh('hx-other')), domain: 'other' }), 400, 'VALIDATION_FAILED', 'domain');
    assertError(await call(t, 'POST', '/v1/domains', { xml: '<domain><memory>1</memory></domain>' }), 400, 'VALIDATION_FAILED', 'xml');
  });

  const BAD_TARGETS = ['gvh-b/system?x=1', '-gvh-b', 'gvh-b\u0000', 'gvh-b/x', 'a..b', 'gvh b', 'fd00::2', 'gvh-b:0',
    'qemu+ssh://gvh-b/system?command=/bin/sh', 'qemu+ext:///system?command=/bin/sh'];

  test('REST migrate and migrate-check: a target that is no host name is 400 VALIDATION_FAILED before libvirt is asked', async () => {
    for (const target of BAD_TARGETS) {
      await refusedBeforeLibvirt(() => call(t, 'POST', '/v1/domains/test/actions/migrate', { target }), 400, 'VALIDATION_FAILED', 'target');
      const before = libvirtCalls();
      assertError(await call(t, 'POST', '/v1/domains/test/migrate-check', { target }), 400, 'VALIDATION_FAILED', 'target');
      assert.equal(libvirtCalls(), before, target);
    }
  });

  test('seed migrate: the same targets are refused the same way', async () => {
    for (const target of BAD_TARGETS) {
      await refusedBeforeLibvirt(() => call(t, 'POST', '/', goPayload({ action: 'migrate', domain: 'test', target })), 400, 'VALIDATION_FAILED', 'target');
    }
  });

  test('a host name passes, and reaches the pre-check (the test driver cannot migrate: 501)', async () => {
    for (const target of ['gvh-b', '10.213.77.2:16509', '[fd00::2]']) {
      const before = libvirtCalls();
      const err = assertError(await call(t, 'POST', '/v1/domains/test/actions/migrate', { target }), 501, 'UNSUPPORTED');
      assert.ok(err.message.includes(`qemu+tcp://${target}/system`), err.message);
      assert.ok(libvirtCalls() > before, 'the pre-check asked libvirt');
    }
  });

  test('a full URI: refused while URI targets are off; with --allow-uri-targets it reaches the pre-check, unless it carries a dangerous parameter', async () => {
    const uri = 'qemu+tcp://gvh-b/system';
    const off = await refusedBeforeLibvirt(() => call(t, 'POST', '/v1/domains/test/actions/migrate', { target: uri }), 400, 'VALIDATION_FAILED', 'target');
    assert.match(off.message, /a full URI is refused/);
    assertError(await call(t, 'POST', '/', goPayload({ action: 'migrate', domain: 'test', target: uri })), 400, 'VALIDATION_FAILED', 'target');
    const report = await call(t, 'POST', '/v1/domains/test/migrate-check', { target: uri });
    assertError(report, 400, 'VALIDATION_FAILED', 'target');

    const on = assertError(await call(uris, 'POST', '/v1/domains/test/actions/migrate', { target: uri }), 501, 'UNSUPPORTED');
    assert.ok(on.message.includes(uri), on.message);
    assert.equal((await call(uris, 'POST', '/v1/domains/test/migrate-check', { target: uri })).body.destinationUri, uri);
    for (const target of ['qemu+ssh://gvh-b/system?command=/bin/sh', 'qemu+ssh://gvh-b/system?netcat=/tmp/nc', 'qemu+tls://gvh-b/system?no_verify=1',
      'qemu+tcp://gvh-b/sys\u0000tem', 'qemu+tcp://gvh-b/system?mode=a b']) {
      assertError(await call(uris, 'POST', '/v1/domains/test/actions/migrate', { target }), 400, 'VALIDATION_FAILED', 'target');
      assertError(await call(uris, 'POST', '/', goPayload({ action: 'migrate', domain: 'test', target })), 400, 'VALIDATION_FAILED', 'target');
    }
  });
});

describe('domain XML that libvirt parses and then refuses', () => {
  let t: TestApp;
  before(async () => { t = await buildTestApp({ uriVar: 'GVH_A_URI' }); });
  after(async () => { await t.close(); });

  test('an unknown type, architecture or OS type, or a malformed UUID, is 400 INVALID_XML with libvirt\'s reason, nothing defined', async () => {
    const doc = (name: string, type: string, arch: string, os: string, extra = '') =>
      `<domain type='${type}'><name>${name}</name><memory>65536</memory><vcpu>1</vcpu><os><type arch='${arch}'>${os}</type></os>${extra}</domain>`;
    const cases = [
      [doc(uniqueName('cfg-type'), 'fuzz', 'x86_64', 'hvm'), /invalid domain type/],
      [doc(uniqueName('cfg-arch'), 'qemu', 'fuzz', 'hvm'), /architecture/i],
      [doc(uniqueName('cfg-os'), 'qemu', 'x86_64', 'zzz'), /OS type/],
      [doc(uniqueName('cfg-uuid'), 'qemu', 'x86_64', 'hvm', '<uuid>not-a-uuid</uuid>'), /malformed uuid/],
    ] as const;
    for (const [xml, reason] of cases) {
      for (const start of [false, true]) {
        const err = assertError(await call(t, 'POST', '/v1/domains', { xml, start }), 400, 'INVALID_XML', 'xml');
        assert.match(err.message, reason);
      }
      const seed = await call(t, 'POST', '/', goPayload({ action: 'define', form: { xml } }));
      assertError(seed, 400, 'INVALID_XML');
    }
    const names = (await t.deps.libvirt.listDomains()).map((d) => d.name);
    assert.ok(!names.some((n) => n.includes('cfg-')), names.join(' '));
  });
});
