/**
 * JSON objects shaped like what each route reads (the seed's GET and POST payloads, a REST action's
 * options, a migration, a define or create), with every field sometimes of the wrong type, unknown
 * fields added, and real guest names used. They may be valid: callers without an admin token send
 * them as they are, an admin only poisoned (see hostile-bodies.ts).
 */
import fc from 'fast-check';
import { ACTIONS } from '../../src/actions/registry.ts';
import { hostileNumber, hostileString, wrongTypeValue } from './hostile-values.ts';
import { hostileXml } from './hostile-xml.ts';

/** What a route reads from its body. */
export type BodyKind = 'seed-get' | 'seed-mutation' | 'action' | 'migrate' | 'create' | 'undefine' | 'login' | 'none';

/** Every action name the agent knows, plus the seed's targets. */
export const ACTION_NAMES = ACTIONS.map((a) => a.name);

type Fields = Record<string, fc.Arbitrary<unknown>>;

/** A field's plausible values mixed with wrong types. */
function field(good: fc.Arbitrary<unknown>, names: readonly string[]): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 3, arbitrary: good }, { weight: 2, arbitrary: wrongTypeValue(names) });
}

function shaped(fields: Fields, names: readonly string[]): fc.Arbitrary<Record<string, unknown>> {
  const extra = fc.dictionary(fc.constantFrom('extra', 'Domain', 'DOMAIN', 'action ', 'createVmForm', 'xml', 'role', 'admin', 'fields'), wrongTypeValue(names), { maxKeys: 2 });
  return fc.tuple(fc.record(fields, { requiredKeys: [] }), fc.option(extra, { freq: 4, nil: undefined }))
    .map(([known, unknown]) => ({ ...known, ...unknown }));
}

const guest = (names: readonly string[]) => fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...names) }, { weight: 1, arbitrary: hostileString(names) });
const textOf = (...values: string[]) => fc.constantFrom(...values);
const base64Of = (arb: fc.Arbitrary<string>) => arb.map((s) => Buffer.from(s, 'utf8').toString('base64'));

/** Go's CreateVmForm with each field plausible, zero or wrong. */
function createVmForm(names: readonly string[]): fc.Arbitrary<Record<string, unknown>> {
  return shaped({
    hostname: field(fc.oneof(textOf(''), guest(names)), names),
    mac: field(textOf('', '52:54:00:12:34:56', '53:54:00:12:34:56', 'zz:zz', '52-54-00-12-34-56'), names),
    ip: field(textOf('', '192.168.122.50', '999.1.1.1', '::1', '10.0.0'), names),
    cpucount: field(hostileNumber(), names),
    memorycount: field(hostileNumber(), names),
    image: field(textOf('', 'debian-12.qcow2', '../../etc/passwd', '/abs/path', 'a\\b', '..'), names),
    xml: field(fc.oneof(textOf('', 'not base64!', '====', 'AAAA', '//79'), base64Of(hostileXml()), hostileXml(), fc.constant(null)), names),
    leasetime: field(hostileNumber(), names),
  }, names);
}

/** A migration target: host names, local names, URIs of every scheme, junk. */
export function hostileTarget(names: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    textOf('localhost', 'LOCALHOST', 'localhost.localdomain', '127.0.0.1', '127.9.9.9:16509', '::1', '[::1]', '[::1]:1', '0.0.0.0', '::',
      'qemu:///system', 'qemu+unix:///system?socket=/nonexistent/fuzz.sock', 'qemu+tcp://localhost:1/system', 'qemu+tcp://127.0.0.1/system?x=1',
      'test:///default', 'qemu+ssh://localhost/system', 'qemu+tls://[::1]/system', 'qemu+ext:///system?command=/bin/true', 'qemu+fd:///system',
      'host-b', 'gvh-b', '10.213.77.2', 'qemu+tcp://10.213.77.2/system', 'a..b', '-x', 'x:99999', 'x:0', 'x/y', 'x?y', 'x#y', 'x@y'),
    hostileString(names),
  );
}

/** A plausible-or-wrong body object for a route that reads `kind`. */
export function shapedObject(kind: BodyKind, names: readonly string[]): fc.Arbitrary<Record<string, unknown>> {
  const g = guest(names);
  switch (kind) {
    case 'seed-get':
      return shaped({ target: field(textOf('vm', 'xml', 'metal', '', 'VM', 'host'), names), domain: field(g, names), source: field(textOf('fresh', 'cached', '', 'stale'), names) }, names);
    case 'seed-mutation':
      return shaped({
        domain: field(g, names), action: field(fc.oneof(fc.constantFrom(...ACTION_NAMES), textOf('', 'START', 'undefine ', 'metal')), names),
        target: field(hostileTarget(names), names), createvmform: field(fc.oneof(fc.constant(null), createVmForm(names)), names),
      }, names);
    case 'action':
      return shaped({ wait: field(hostileNumber(), names), force: field(fc.boolean(), names), domain: field(g, names) }, names);
    case 'migrate':
      return shaped({
        target: field(hostileTarget(names), names), live: field(fc.boolean(), names), persist: field(fc.boolean(), names),
        undefineSource: field(fc.boolean(), names), bandwidth: field(hostileNumber(), names), timeout: field(hostileNumber(), names),
        copyStorage: field(fc.boolean(), names), domain: field(g, names),
      }, names);
    case 'create':
      return fc.tuple(shaped({ xml: field(hostileXml(), names), start: field(fc.boolean(), names), domain: field(g, names) }, names), createVmForm(names), fc.boolean())
        .map(([own, form, withForm]) => (withForm ? { ...form, ...own } : own));
    default:
      return shaped({ domain: field(g, names), action: field(fc.constantFrom(...ACTION_NAMES), names) }, names);
  }
}
