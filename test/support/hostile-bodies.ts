/**
 * Request bodies for the fuzz campaign: JSON shaped for the route, poisoned with an unknown field,
 * broken JSON, non-objects, deep nesting, invalid UTF-8, bodies at and over the size limit, sign-in
 * forms, and two kinds that are well formed on purpose but can never act: hostile XML for define and
 * create (see hostile-xml.ts) and migrations to this host (refused before anything is dialled).
 *
 * A body sent with an admin token must be one the agent refuses. `refusedByAgent` says so by the
 * agent's own rules (src/http/body.ts), and the admin generator keeps only such bodies, or the two
 * safe kinds after checking them too: a generator bug drops a case, it never starts a guest.
 */
import fc from 'fast-check';
import { MAX_JSON_DEPTH, jsonDepthExceeds } from '../../src/http/body.ts';
import { destinationUri } from '../../src/migration/options.ts';
import { isLocalDestination } from '../../src/libvirt/uri.ts';
import { hostileTarget, shapedObject, type BodyKind } from './hostile-shapes.ts';
import { PROTOTYPE_NAMES, hostileString } from './hostile-values.ts';
import { POISONED_MEMORY, XML_NAME_PREFIX, hostileXml } from './hostile-xml.ts';

/** The unknown field that makes every action's strict schema refuse a body. */
export const POISON_KEY = 'fuzz-poison';
/** The agent's default migration URI template (the campaign runs with the default). */
const MIGRATE_SETTINGS = { migrateUriTemplate: 'qemu+tcp://{target}/system', allowUriTargets: false };

/** Whether the agent would take `target` to name this host (so its pre-check refuses the migration); false for a target it refuses outright. */
function isLocalTarget(target: string): boolean {
  try {
    return isLocalDestination(destinationUri(target, MIGRATE_SETTINGS));
  } catch {
    return false;
  }
}

/** What the body generators need: real guest names, the body limit, the real tokens, the XML kinds to send. */
export interface BodyContext {
  names: readonly string[];
  limit: number;
  tokens: readonly string[];
  xmlKinds: readonly string[];
}

/** A body: its bytes, what kind it is (for the tallies), and whether it is one of the safe well-formed kinds. */
export interface Body {
  bytes: Buffer;
  label: string;
  safe?: 'xml' | 'migrate-local';
}

const body = (label: string, text: string | Buffer, safe?: Body['safe']): Body => ({ bytes: Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8'), label, ...(safe && { safe }) });

/** Whether the agent refuses this body before any action runs with it (mirrors readJsonObject and the strict schemas). */
export function refusedByAgent(bytes: Buffer, limit: number): boolean {
  if (bytes.length > limit) return true;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return true;
  }
  if (text.trim() === '') return false; // no body: an empty input, which undefine (for one) accepts
  if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) return true;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return true;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return true;
  return Object.hasOwn(value, POISON_KEY);
}

/** JSON text of `obj` with prototype keys written in as own keys (an object literal cannot hold `__proto__`). */
function withPrototypeKeys(json: string, keys: string[]): string {
  if (keys.length === 0) return json;
  const injected = keys.map((k) => `${JSON.stringify(k)}:{"admin":true,"role":"admin"}`).join(',');
  return json === '{}' ? `{${injected}}` : `{${injected},${json.slice(1)}`;
}

function jsonBody(kind: BodyKind, names: readonly string[], poison: boolean): fc.Arbitrary<Body> {
  return fc.tuple(shapedObject(kind, names), fc.subarray(PROTOTYPE_NAMES.slice(0, 3), { maxLength: 2 }), hostileString(names))
    .map(([obj, protoKeys, poisonValue]) => {
      const text = withPrototypeKeys(JSON.stringify(poison ? { [POISON_KEY]: poisonValue, ...obj } : obj), protoKeys);
      return body(poison ? `json-poisoned-${kind}` : `json-${kind}`, text);
    });
}

const BROKEN_JSON = ['{', '{"domain":', '{"domain":"x"', "{'domain':'x'}", '{domain:"x"}', '{"a":1,}', '{"a":NaN}', '{"a":01}', '{"a":1}{"b":2}',
  '{"a":1} trailing', '/* c */{}', '\ufeff{}', '{"a":"\u0000"}', '{"a":"\\x41"}', '{"a":"\\ud800"', '{"a":1e999999}x', 'undefined', '<domain/>',
  'domain=fuzz&action=start', '\u0000', '{"__proto__":}'];
const NON_OBJECTS = ['[]', '[{"domain":"x"}]', '"start"', '42', '-0', 'null', 'true', '1e400', '"\\u0000"'];

function brokenBody(names: readonly string[]): fc.Arbitrary<Body> {
  return fc.oneof(
    fc.constantFrom(...BROKEN_JSON).map((t) => body('json-broken', t)),
    fc.constantFrom(...NON_OBJECTS).map((t) => body('json-not-object', t)),
    fc.tuple(fc.integer({ min: MAX_JSON_DEPTH + 1, max: 20_000 }), fc.constantFrom(['[', ']'], ['{"a":', '}'])).map(([n, [o, c]]) => body('json-deep', `{"domain":${o!.repeat(n)}${c!.repeat(n)}}`)),
    fc.tuple(fc.constantFrom(...names), fc.constantFrom([0xff], [0xc3], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xfe, 0xff]))
      .map(([n, bad]) => body('utf8-invalid', Buffer.concat([Buffer.from(`{"domain":"${n}`), Buffer.from(bad), Buffer.from('","action":"start"}')]))),
    fc.constantFrom(...names).map((n) => body('nul-raw', Buffer.from(`{"domain":"${n}\u0000","action":"destroy"}`))),
  );
}

/** A body of about `limit` bytes: a JSON object with one huge string, just under, at or over the limit. */
function bigBody(kind: BodyKind, names: readonly string[], limit: number, poison: boolean): fc.Arbitrary<Body> {
  return fc.tuple(fc.constantFrom(-64, -1, 0, 1, 4096, 65_536), fc.constantFrom('x', 'é', '\\u0000', '<'), fc.constantFrom(...names))
    .map(([delta, unit, name]) => {
      const head = poison ? `{"${POISON_KEY}":1,"domain":"${name}","xml":"` : `{"domain":"${name}","xml":"`;
      const room = Math.max(0, limit + delta - head.length - 2);
      const text = `${head}${unit.repeat(Math.floor(room / Buffer.byteLength(unit)))}"}`;
      return body(Buffer.byteLength(text) > limit ? `over-limit-${kind}` : `at-limit-${kind}`, text);
    });
}

function formBody(names: readonly string[], tokens: readonly string[]): fc.Arbitrary<Body> {
  const token = fc.oneof(fc.constantFrom(...tokens, '', 'gvh_', `gvh_${'A'.repeat(43)}`), hostileString(names));
  return fc.oneof(
    fc.tuple(token, fc.constantFrom('/ui', '//evil.example', 'https://evil.example', '/ui/../../x', '/ui?x=%00', 'javascript:alert(1)'))
      .map(([t, next]) => body('form-urlencoded', `token=${encodeURIComponent(t.replace(/[\ud800-\udfff]/g, '?'))}&next=${encodeURIComponent(next)}`)),
    fc.constantFrom('--x\r\nContent-Disposition: form-data; name="token"\r\n\r\ngvh_x\r\n--x--\r\n', '--x\r\n\r\n', 'token', '%zz=%zz', 'token=%E0%A4%A')
      .map((t) => body('form-raw', t)),
  );
}

/** Well-formed define and create bodies whose XML libvirt always refuses (named fuzz-xml-…, poisoned <memory>). */
function xmlBody(kind: BodyKind, xmlKinds: readonly string[]): fc.Arbitrary<Body> {
  return fc.tuple(hostileXml(xmlKinds), fc.boolean(), fc.constantFrom('define', 'create'), fc.boolean()).map(([xml, start, action, base64]) => {
    if (kind === 'seed-mutation') {
      const form = { hostname: '', mac: '', ip: '', cpucount: 0, memorycount: 0, image: '', xml: base64 ? Buffer.from(xml).toString('base64') : xml, leasetime: 0 };
      return body('xml-seed', JSON.stringify({ domain: '', action, target: '', createvmform: form }), 'xml');
    }
    return body('xml-rest', JSON.stringify(start ? { xml, start } : { xml }), 'xml');
  });
}

/** Well-formed migration bodies whose target is this host (refused by the pre-check's first step); other targets are poisoned. */
function migrateBody(kind: BodyKind, names: readonly string[]): fc.Arbitrary<Body> {
  return fc.tuple(hostileTarget(names), fc.constantFrom(...names), fc.boolean()).map(([target, domain, live]) => {
    const local = isLocalTarget(target);
    const fields = kind === 'seed-mutation' ? { domain, action: 'migrate', target, createvmform: null } : { target, live };
    return body(local ? 'migrate-local' : 'migrate-poisoned', JSON.stringify(local ? fields : { [POISON_KEY]: true, ...fields }), local ? 'migrate-local' : undefined);
  });
}

/** Whether a safe-kind body really is what its kind promises (checked again, independently of how it was made). */
function safeKindHolds(b: Body): boolean {
  const parsed = JSON.parse(b.bytes.toString('utf8')) as Record<string, unknown>;
  if (b.safe === 'xml') {
    const xml = String((parsed.createvmform as Record<string, unknown> | undefined)?.xml ?? parsed.xml ?? '');
    const text = xml.includes('<') ? xml : Buffer.from(xml, 'base64').toString('utf8');
    const unterminated = !text.includes('</domain>'); // libvirt cannot parse it, so it defines nothing
    const poisoned = new RegExp(`<name>${XML_NAME_PREFIX}\\d+`).test(text) && text.includes(POISONED_MEMORY);
    return (unterminated || poisoned) && !('domain' in parsed && parsed.domain !== '');
  }
  return b.safe === 'migrate-local' && isLocalTarget(String(parsed.target));
}

/** Safe for an admin to send: refused by the agent, or a safe kind that checks out. */
export function safeForAdmin(b: Body | undefined, limit: number): boolean {
  if (b === undefined) return false;
  return b.safe ? safeKindHolds(b) : refusedByAgent(b.bytes, limit);
}

/** Any hostile body for a route reading `kind` (callers without an admin token: nothing they send can act). */
export function anyBody(kind: BodyKind, bc: BodyContext): fc.Arbitrary<Body | undefined> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constantFrom('', ' ', '\r\n').map((t) => body('blank', t)) },
    { weight: 6, arbitrary: jsonBody(kind, bc.names, false) },
    { weight: 4, arbitrary: adminBody(kind, bc) },
    { weight: kind === 'login' ? 6 : 1, arbitrary: formBody(bc.names, bc.tokens) },
  );
}

/** A body an admin may send: one the agent must refuse, or a safe well-formed kind (hostile XML, a local migration). */
export function adminBody(kind: BodyKind, bc: BodyContext): fc.Arbitrary<Body> {
  const { names, limit } = bc;
  return fc.oneof(
    { weight: 6, arbitrary: jsonBody(kind, names, true) },
    { weight: 3, arbitrary: brokenBody(names) },
    { weight: 1, arbitrary: bigBody(kind, names, limit, true) },
    { weight: 1, arbitrary: bigBody(kind, names, limit, false).filter((b) => b.bytes.length > limit) },
    { weight: 1, arbitrary: formBody(names, bc.tokens) },
    { weight: kind === 'create' || kind === 'seed-mutation' ? 4 : 0, arbitrary: xmlBody(kind, bc.xmlKinds) },
    { weight: kind === 'migrate' || kind === 'seed-mutation' ? 3 : 0, arbitrary: migrateBody(kind, names) },
  ).filter((b) => safeForAdmin(b, limit));
}
