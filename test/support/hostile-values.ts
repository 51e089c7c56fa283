/**
 * Hostile primitive values for the fuzz campaign (fast-check arbitraries): strings, numbers, JSON
 * values of the wrong type, path segments and query strings. Everything that ends up in a request
 * line is printable ASCII (node:http refuses the rest before sending), so non-ASCII text is sent
 * percent-encoded.
 */
import fc from 'fast-check';

/** Names that an object literal, a Map-less lookup or a prototype chain would answer to. */
export const PROTOTYPE_NAMES = ['constructor', '__proto__', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'isPrototypeOf'];

/** Text that has tripped parsers, loggers and shells before. */
const NASTY = ['', ' ', '\u0000', 'a\u0000b', '\t\r\n', '..', '.', '../..', '%00', '%zz', '%', '\\', '/', '//', '<', '&lt;', ']]>', "'", '"', '`$(id)`',
  '\u202e', '\ufeff', '\u2028', '\ud800', '\udfff', '😀', '\u0301', 'ﬀ', 'İ', 'NaN', 'null', 'undefined', 'true', '-0', '1e309', '0x1f', '{}', '[]'];

/** A string that is text, NUL bytes, control characters, lone surrogates, unicode or long. */
export function hostileString(names: readonly string[] = []): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...NASTY, ...PROTOTYPE_NAMES) },
    { weight: 3, arbitrary: fc.string({ maxLength: 40, unit: 'binary' }) },
    { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: names.length > 0 ? 3 : 0, arbitrary: names.length > 0 ? fc.constantFrom(...names) : fc.constant('') },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('x', 'é', '\u0000', '😀', '%'), fc.integer({ min: 250, max: 5000 })).map(([c, n]) => c.repeat(n)) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...names, 'fuzz'), fc.constantFrom('\u0000', '/', ' ', '\n', '%2F', '..')).map(([n, s]) => `${n}${s}`) },
  );
}

/** A number JSON can carry that a schema may not want: negative, fractional, huge, tiny. */
export function hostileNumber(): fc.Arbitrary<number> {
  return fc.oneof(
    fc.constantFrom(0, -0, -1, 1, 0.5, 119, 120, 3600, 3601, 4096, 4097, 2 ** 31, 2 ** 53 + 2, -(2 ** 63), 1e308, 5e-324),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
  );
}

/** Any JSON value, favouring the types a field did not ask for. */
export function wrongTypeValue(names: readonly string[] = []): fc.Arbitrary<unknown> {
  return fc.oneof(
    hostileString(names),
    hostileNumber(),
    fc.boolean(),
    fc.constant(null),
    fc.constant([]),
    fc.constant({}),
    fc.array(fc.oneof(fc.string({ maxLength: 8 }), fc.integer()), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom('a', '__proto__', 'constructor', 'domain'), fc.oneof(fc.string({ maxLength: 8 }), fc.integer()), { maxKeys: 3 }),
  );
}

/** Percent-encodes what node:http would refuse in a request line, keeping the rest as given. */
export function printable(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    out += code > 0x20 && code < 0x7f ? ch : encodeChar(ch);
  }
  return out;
}

function encodeChar(ch: string): string {
  try {
    return encodeURIComponent(ch);
  } catch {
    return '%ED%A0%80'; // a lone surrogate: send the bytes UTF-8 would give it (invalid UTF-8)
  }
}

/** One path segment: a real name, a prototype name, an odd encoding, a traversal, a long one. */
export function pathSegment(names: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...names) },
    { weight: 2, arbitrary: fc.constantFrom(...PROTOTYPE_NAMES) },
    { weight: 2, arbitrary: fc.constantFrom('%00', '%zz', '%', '%2e%2e', '..', '.', '%2F', 'a%2Fb', '%252e', '%E0%A4%A', '%C0%AF', '%FF%FE', ';x=1', 'a\\b', '~', '*', '@') },
    { weight: 3, arbitrary: hostileString(names).map(printable) },
    { weight: 1, arbitrary: fc.integer({ min: 256, max: 6000 }).map((n) => 'n'.repeat(n)) },
    { weight: 1, arbitrary: fc.constantFrom(...names).map((n) => `${n}%00`) },
  );
}

/** A record id as a path segment: numbers of every kind and things that are not numbers. */
export function idSegment(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom('1', '0', '-1', '1.5', '1e3', '0x10', '007', '9007199254740993', '99999999999999999999999', 'NaN', 'Infinity', '%201', '1%00'),
    fc.nat().map(String),
    pathSegment(['1']),
  );
}

const QUERY_KEYS = ['source', 'limit', 'cursor', 'since', 'until', 'domain', 'action', 'outcome', 'actor', 'type', 'domains', 'target', 'next', 'id', 'fields'];

/** A value for a query key: plausible, hostile or encoded wrongly. */
function queryValue(names: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom('fresh', 'cached', 'true', 'false', '10', '0', '-1', '1e3', '2026-12-03T00:00:00Z', '2026-13-45', 'lifecycle,audit', 'audit', ',,,', 'succeeded', 'pending'),
    fc.constantFrom(...names),
    hostileString(names).map((s) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '?'))),
    fc.constantFrom('%zz', '%', '%00', '%E0%A4%A', '+', '%2B', '&', '=', '=='),
    fc.integer({ min: 1000, max: 6000 }).map((n) => 'q'.repeat(n)),
  );
}

/** A query string ('' or '?…'): duplicate keys, prototype keys, bare keys, invalid encodings. */
export function queryString(names: readonly string[]): fc.Arbitrary<string> {
  const key = fc.oneof(fc.constantFrom(...QUERY_KEYS), fc.constantFrom(...PROTOTYPE_NAMES), fc.constantFrom('%zz', '', '[]', 'a[b]', 'domain[]'), fc.string({ maxLength: 6 }).map(printable));
  const pair = fc.tuple(key, fc.option(queryValue(names), { nil: undefined })).map(([k, v]) => (v === undefined ? k : `${k}=${v}`));
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant('') },
    { weight: 6, arbitrary: fc.array(pair, { minLength: 1, maxLength: 6 }).map((pairs) => `?${pairs.join('&')}`.slice(0, 7000)) },
    { weight: 1, arbitrary: fc.constantFrom('?', '?&', '?=', '?&&==', '?#x') },
  );
}
