/**
 * XDR codec: round trips of every primitive, exact wire layouts, bounds and malformed input.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { XdrDecodeError, XdrEncodeError, XdrReader, XdrWriter } from '../../src/libvirt/xdr.ts';
import { hex, xdr } from '../support/frames.ts';

const INT_MIN = -0x8000_0000;
const INT_MAX = 0x7fff_ffff;
const UINT_MAX = 0xffff_ffff;
const HYPER_MIN = -(1n << 63n);
const HYPER_MAX = (1n << 63n) - 1n;
const UHYPER_MAX = (1n << 64n) - 1n;
const RUNS = { numRuns: 200 };

/** Decodes with `read` and requires every byte to be consumed. */
function decode<T>(bytes: Buffer, read: (r: XdrReader) => T): T {
  const r = new XdrReader(bytes);
  const value = read(r);
  r.finish('test value');
  return value;
}

/** Encodes with `write`, decodes with `read`, and returns what came back. */
function roundTrip<T>(write: (w: XdrWriter) => void, read: (r: XdrReader) => T): T {
  return decode(xdr(write), read);
}

const padOf = (n: number) => (4 - (n % 4)) % 4;

describe('XDR round trips', () => {
  test('int at its extremes and around zero', () => {
    for (const v of [0, 1, -1, 42, -42, INT_MIN, INT_MAX, INT_MIN + 1, INT_MAX - 1]) {
      assert.equal(roundTrip((w) => w.int(v), (r) => r.int()), v);
    }
  });

  test('uint at its extremes', () => {
    for (const v of [0, 1, 0x7fff_ffff, 0x8000_0000, UINT_MAX - 1, UINT_MAX]) {
      assert.equal(roundTrip((w) => w.uint(v), (r) => r.uint()), v);
    }
  });

  test('hyper at its extremes (bigint, beyond 2^53)', () => {
    for (const v of [0n, 1n, -1n, HYPER_MIN, HYPER_MAX, HYPER_MIN + 1n, 1n << 53n, (1n << 53n) + 1n, -(1n << 53n) - 1n]) {
      assert.equal(roundTrip((w) => w.hyper(v), (r) => r.hyper()), v);
    }
  });

  test('unsigned hyper at its extremes', () => {
    for (const v of [0n, 1n, HYPER_MAX, 1n << 63n, UHYPER_MAX - 1n, UHYPER_MAX, (1n << 53n) + 1n]) {
      assert.equal(roundTrip((w) => w.uhyper(v), (r) => r.uhyper()), v);
    }
  });

  test('bool writes 0/1 and reads any non-zero word as true', () => {
    assert.equal(roundTrip((w) => w.bool(true), (r) => r.bool()), true);
    assert.equal(roundTrip((w) => w.bool(false), (r) => r.bool()), false);
    assert.deepEqual(xdr((w) => w.bool(true)), hex('00000001'));
    assert.deepEqual(xdr((w) => w.bool(false)), hex('00000000'));
    assert.equal(decode(hex('00000002'), (r) => r.bool()), true);
    assert.equal(decode(hex('ffffffff'), (r) => r.bool()), true);
    assert.equal(decode(hex('80000000'), (r) => r.bool()), true);
  });

  test('double including NaN, -0, ±Infinity and denormals', () => {
    const values = [0, -0, 1, -1.5, Math.PI, Number.NaN, Infinity, -Infinity, Number.MIN_VALUE, -Number.MIN_VALUE,
      Number.MAX_VALUE, Number.EPSILON, 2 ** 53 + 2];
    for (const v of values) {
      const back = roundTrip((w) => w.double(v), (r) => r.double());
      assert.ok(Object.is(back, v), `double ${v} came back as ${back}`);
    }
  });

  test('strings: empty, ASCII, multibyte UTF-8 (2, 3 and 4-byte sequences)', () => {
    for (const s of ['', 'a', 'ab', 'abc', 'abcd', 'abcde', 'héllo', 'ß', '日本語', '€', '🎉', 'a🎉b', 'x\u0000y', 'Ω'.repeat(1000)]) {
      const bytes = xdr((w) => w.string(s));
      const n = Buffer.byteLength(s, 'utf8');
      assert.equal(bytes.length, 4 + n + padOf(n), `length of encoded ${JSON.stringify(s)}`);
      assert.equal(bytes.readUInt32BE(0), n, 'the length word counts UTF-8 bytes, not UTF-16 units');
      assert.equal(decode(bytes, (r) => r.string()), s);
    }
  });

  test('a string that starts with U+FEFF (BOM) survives a round trip byte-for-byte', () => {
    // XDR strings are opaque bytes: a leading EF BB BF must not be swallowed by the UTF-8 decoder.
    const s = '\uFEFFabc';
    const bytes = xdr((w) => w.string(s));
    assert.deepEqual(bytes, hex('00000006 efbbbf61 62630000'));
    assert.equal(decode(bytes, (r) => r.string()), s);
  });

  test('fixed opaque at lengths 0..9: n bytes plus zero padding, no length word', () => {
    for (let n = 0; n <= 9; n++) {
      const data = Buffer.from(Array.from({ length: n }, (_, i) => 0xa0 + i));
      const bytes = xdr((w) => w.fixedOpaque(data, n));
      assert.equal(bytes.length, n + padOf(n), `fixed opaque[${n}] size`);
      assert.deepEqual(bytes.subarray(0, n), data);
      assert.ok(bytes.subarray(n).every((b) => b === 0), `fixed opaque[${n}] padding is zero`);
      assert.deepEqual(decode(bytes, (r) => r.fixedOpaque(n)), data);
    }
  });

  test('variable opaque at lengths 0..9: length word, bytes, zero padding', () => {
    for (let n = 0; n <= 9; n++) {
      const data = Buffer.from(Array.from({ length: n }, (_, i) => 0xff - i));
      const bytes = xdr((w) => w.varOpaque(data));
      assert.equal(bytes.length, 4 + n + padOf(n), `opaque<${n}> size`);
      assert.equal(bytes.readUInt32BE(0), n);
      assert.deepEqual(bytes.subarray(4, 4 + n), data);
      assert.ok(bytes.subarray(4 + n).every((b) => b === 0), `opaque<${n}> padding is zero`);
      assert.deepEqual(decode(bytes, (r) => r.varOpaque()), data);
    }
  });

  test('optional: absent (null or undefined) is one zero word; present is 1 then the value', () => {
    assert.deepEqual(xdr((w) => w.optional(null, (x, v: number) => void x.int(v))), hex('00000000'));
    assert.deepEqual(xdr((w) => w.optional(undefined, (x, v: number) => void x.int(v))), hex('00000000'));
    assert.deepEqual(xdr((w) => w.optional(7, (x, v) => void x.int(v))), hex('00000001 00000007'));
    assert.equal(decode(hex('00000000'), (r) => r.optional((x) => x.int())), null);
    assert.equal(decode(hex('00000001 fffffffe'), (r) => r.optional((x) => x.int())), -2);
    assert.equal(roundTrip((w) => w.optional('', (x, v) => void x.string(v)), (r) => r.optional((x) => x.string())), '');
  });

  test('optional rejects a discriminant other than 0 or 1', () => {
    // Read without finish(): the discriminant alone must be refused, not the leftover bytes.
    for (const word of ['00000002', 'ffffffff', '80000000']) {
      assert.throws(() => new XdrReader(hex(word)).optional((x) => x.int()), XdrDecodeError, word);
      assert.throws(() => new XdrReader(hex(`${word} 00000007`)).optional((x) => x.int()), XdrDecodeError, word);
    }
  });

  test('fixed arrays carry no count; variable arrays carry one', () => {
    const items = [1, -2, 3];
    const fixed = xdr((w) => w.fixedArray(items, 3, (x, v) => void x.int(v)));
    assert.deepEqual(fixed, hex('00000001 fffffffe 00000003'));
    assert.deepEqual(decode(fixed, (r) => r.fixedArray(3, (x) => x.int())), items);
    const variable = xdr((w) => w.varArray(items, 10, (x, v) => void x.int(v)));
    assert.deepEqual(variable, hex('00000003 00000001 fffffffe 00000003'));
    assert.deepEqual(decode(variable, (r) => r.varArray(10, (x) => x.int())), items);
    assert.deepEqual(roundTrip((w) => w.varArray([], 10, (x, v: number) => void x.int(v)), (r) => r.varArray(10, (x) => x.int())), []);
    assert.deepEqual(decode(Buffer.alloc(0), (r) => r.fixedArray(0, (x) => x.int())), []);
    const strings = ['a', '', 'héllo'];
    assert.deepEqual(roundTrip((w) => w.varArray(strings, 3, (x, v) => void x.string(v)), (r) => r.varArray(3, (x) => x.string())), strings);
  });

  test('union: the int discriminant selects the arm, including negative discriminants', () => {
    type Arm = { kind: string; v: number | string | null };
    const arms: Record<number, (r: XdrReader) => Arm> = {
      1: (r) => ({ kind: 'int', v: r.int() }), 2: (r) => ({ kind: 'str', v: r.string() }), [-1]: () => ({ kind: 'void', v: null }),
    };
    assert.deepEqual(xdr((w) => w.union(1, (x) => void x.int(9))), hex('00000001 00000009'));
    assert.deepEqual(decode(hex('00000001 00000009'), (r) => r.union(arms)), { kind: 'int', v: 9 });
    assert.deepEqual(roundTrip((w) => w.union(2, (x) => void x.string('hi')), (r) => r.union(arms)), { kind: 'str', v: 'hi' });
    assert.deepEqual(xdr((w) => w.union(-1, () => {})), hex('ffffffff'));
    assert.deepEqual(decode(hex('ffffffff'), (r) => r.union(arms)), { kind: 'void', v: null });
  });

  test('union rejects a discriminant without an arm', () => {
    const arms = { 1: (r: XdrReader) => r.int() };
    assert.throws(() => decode(hex('00000003 00000000'), (r) => r.union(arms)), XdrDecodeError);
    assert.throws(() => decode(hex('00000000'), (r) => r.union(arms)), XdrDecodeError);
  });
});

describe('XDR exact byte layouts', () => {
  const cases: Array<[string, (w: XdrWriter) => unknown, string]> = [
    ['string "abc"', (w) => w.string('abc'), '00000003 61626300'],
    ['string ""', (w) => w.string(''), '00000000'],
    ['string "abcd" (no padding)', (w) => w.string('abcd'), '00000004 61626364'],
    ['string "é" (2 UTF-8 bytes)', (w) => w.string('é'), '00000002 c3a90000'],
    ['int 1', (w) => w.int(1), '00000001'],
    ['int -1', (w) => w.int(-1), 'ffffffff'],
    ['int min', (w) => w.int(INT_MIN), '80000000'],
    ['uint max', (w) => w.uint(UINT_MAX), 'ffffffff'],
    ['hyper -2', (w) => w.hyper(-2n), 'ffffffff fffffffe'],
    ['hyper 2^32', (w) => w.hyper(1n << 32n), '00000001 00000000'],
    ['uhyper max', (w) => w.uhyper(UHYPER_MAX), 'ffffffff ffffffff'],
    ['double 1.0', (w) => w.double(1), '3ff00000 00000000'],
    ['double -0', (w) => w.double(-0), '80000000 00000000'],
    ['double -2.5', (w) => w.double(-2.5), 'c0040000 00000000'],
    ['opaque<> 01..05', (w) => w.varOpaque(Buffer.from([1, 2, 3, 4, 5])), '00000005 01020304 05000000'],
    ['opaque[2] abcd', (w) => w.fixedOpaque(Buffer.from([0xab, 0xcd]), 2), 'abcd0000'],
    ['int<> [1,2]', (w) => w.varArray([1, 2], 5, (x, v) => void x.int(v)), '00000002 00000001 00000002'],
    ['union 3 → int 7', (w) => w.union(3, (x) => void x.int(7)), '00000003 00000007'],
    ['raw bytes are copied verbatim', (w) => w.raw(Buffer.from([1, 2, 3])), '010203'],
  ];
  for (const [name, write, expected] of cases) {
    test(name, () => assert.deepEqual(xdr(write), hex(expected)));
  }

  test('items follow each other with no gaps: int, string, uhyper', () => {
    const bytes = xdr((w) => w.int(5).string('xy').uhyper(3n));
    assert.deepEqual(bytes, hex('00000005 00000002 78790000 00000000 00000003'));
  });
});

/** A message using every reader method; its encoding must be consumed exactly. */
function writeSample(w: XdrWriter): void {
  w.int(-7).uint(0xdeadbeef).hyper(-5n).uhyper(UHYPER_MAX).bool(true).double(0.25)
    .string('héllo').fixedOpaque(Buffer.from([1, 2, 3, 4, 5]), 5).varOpaque(Buffer.from([9, 8, 7]))
    .optional(11, (x, v) => void x.int(v)).optional(null, (x, v: number) => void x.int(v))
    .fixedArray([1, 2], 2, (x, v) => void x.uint(v)).varArray(['a', 'bcd'], 10, (x, v) => void x.string(v))
    .union(2, (x) => void x.uhyper(12n));
}

function readSample(r: XdrReader): unknown[] {
  return [r.int(), r.uint(), r.hyper(), r.uhyper(), r.bool(), r.double(), r.string(100), r.fixedOpaque(5), r.varOpaque(10),
    r.optional((x) => x.int()), r.optional((x) => x.int()), r.fixedArray(2, (x) => x.uint()),
    r.varArray(10, (x) => x.string()), r.union<number | bigint>({ 1: (x) => x.int(), 2: (x) => x.uhyper() })];
}

const SAMPLE_VALUES = [-7, 0xdeadbeef, -5n, UHYPER_MAX, true, 0.25, 'héllo', Buffer.from([1, 2, 3, 4, 5]), Buffer.from([9, 8, 7]),
  11, null, [1, 2], ['a', 'bcd'], 12n];

describe('XDR reader bounds', () => {
  const full = xdr(writeSample);

  test('the sample message decodes to its values and is consumed exactly', () => {
    assert.deepEqual(decode(full, readSample), SAMPLE_VALUES);
  });

  test('every truncation of a valid encoding raises XdrDecodeError (never RangeError)', () => {
    for (let cut = 0; cut < full.length; cut++) {
      assert.throws(() => readSample(new XdrReader(full.subarray(0, cut))), XdrDecodeError, `cut at ${cut}`);
    }
  });

  test('a reader limited by `end` never reads past it, even when the buffer goes on', () => {
    for (let cut = 0; cut < full.length; cut++) {
      assert.throws(() => readSample(new XdrReader(full, 0, cut)), XdrDecodeError, `end at ${cut}`);
    }
  });

  test('a reader can start inside a buffer and respects both bounds', () => {
    const framed = Buffer.concat([Buffer.alloc(12, 0xee), full, Buffer.alloc(8, 0xee)]);
    const r = new XdrReader(framed, 12, 12 + full.length);
    assert.equal(r.position, 12);
    assert.equal(r.remaining, full.length);
    assert.deepEqual(readSample(r), SAMPLE_VALUES);
    assert.equal(r.remaining, 0);
    assert.equal(r.position, 12 + full.length);
    r.finish('framed sample');
    for (let cut = 0; cut < full.length; cut += 3) {
      assert.throws(() => readSample(new XdrReader(framed, 12, 12 + cut)), XdrDecodeError, `end at ${cut}`);
    }
  });

  test('a failed read raises XdrDecodeError for each primitive on an empty or short buffer', () => {
    const short = Buffer.from([0, 0, 0]);
    const reads: Array<(r: XdrReader) => unknown> = [
      (r) => r.int(), (r) => r.uint(), (r) => r.hyper(), (r) => r.uhyper(), (r) => r.bool(), (r) => r.double(),
      (r) => r.string(), (r) => r.varOpaque(), (r) => r.fixedOpaque(4), (r) => r.optional((x) => x.int()),
      (r) => r.varArray(10, (x) => x.int()), (r) => r.union({ 0: () => 0 }), (r) => r.fixedArray(1, (x) => x.int()),
    ];
    for (const read of reads) {
      assert.throws(() => read(new XdrReader(Buffer.alloc(0))), XdrDecodeError, read.toString());
      assert.throws(() => read(new XdrReader(short)), XdrDecodeError, read.toString());
    }
    // 8-byte items with only 4..7 bytes left
    for (let n = 4; n < 8; n++) {
      assert.throws(() => new XdrReader(Buffer.alloc(n)).hyper(), XdrDecodeError);
      assert.throws(() => new XdrReader(Buffer.alloc(n)).double(), XdrDecodeError);
    }
  });

  test('finish rejects trailing bytes and accepts an exactly consumed buffer', () => {
    const r = new XdrReader(hex('00000001 00000002'));
    r.int();
    assert.equal(r.remaining, 4);
    assert.throws(() => r.finish('x'), XdrDecodeError);
    r.int();
    r.finish('x');
  });

  test('string, opaque and array maximums are enforced on decode (at max ok, max+1 rejected)', () => {
    const abcd = xdr((w) => w.string('abcd'));
    assert.equal(decode(abcd, (r) => r.string(4)), 'abcd');
    assert.throws(() => decode(abcd, (r) => r.string(3)), XdrDecodeError);
    const op = xdr((w) => w.varOpaque(Buffer.from([1, 2, 3])));
    assert.deepEqual(decode(op, (r) => r.varOpaque(3)), Buffer.from([1, 2, 3]));
    assert.throws(() => decode(op, (r) => r.varOpaque(2)), XdrDecodeError);
    const arr = xdr((w) => w.varArray([1, 2, 3], 3, (x, v) => void x.int(v)));
    assert.deepEqual(decode(arr, (r) => r.varArray(3, (x) => x.int())), [1, 2, 3]);
    assert.throws(() => decode(arr, (r) => r.varArray(2, (x) => x.int())), XdrDecodeError);
    assert.throws(() => decode(hex('00000001 00000000'), (r) => r.varArray(0, (x) => x.int())), XdrDecodeError);
  });

  test('a length word beyond the buffer is rejected without allocating or reading', () => {
    assert.throws(() => decode(hex('ffffffff 61626364'), (r) => r.string()), XdrDecodeError);
    assert.throws(() => decode(hex('ffffffff 61626364'), (r) => r.varOpaque()), XdrDecodeError);
    assert.throws(() => decode(hex('00000005 61626364'), (r) => r.string()), XdrDecodeError);
    assert.throws(() => decode(hex('00000005 61626364'), (r) => r.varOpaque()), XdrDecodeError);
  });

  test('huge array counts are rejected before any element is read', () => {
    for (const count of [0xffff_ffff, 0x8000_0000, 1_000_000, 3]) {
      let calls = 0;
      const bytes = Buffer.concat([xdr((w) => w.uint(count)), Buffer.alloc(8)]);
      assert.throws(() => decode(bytes, (r) => r.varArray(Number.MAX_SAFE_INTEGER, (x) => { calls++; return x.int(); })), XdrDecodeError);
      assert.equal(calls, 0, `count ${count}: no element decoded`);
    }
  });

  test('non-zero padding is rejected in strings, fixed and variable opaques', () => {
    for (let n = 1; n <= 3; n++) {
      const pads = padOf(n);
      const str = xdr((w) => w.string('z'.repeat(n)));
      const fixed = xdr((w) => w.fixedOpaque(Buffer.alloc(n, 0x41), n));
      const variable = xdr((w) => w.varOpaque(Buffer.alloc(n, 0x41)));
      for (let p = 0; p < pads; p++) {
        const badStr = Buffer.from(str);
        badStr[4 + n + p] = 0x01;
        assert.throws(() => decode(badStr, (r) => r.string()), XdrDecodeError, `string[${n}] pad ${p}`);
        const badFixed = Buffer.from(fixed);
        badFixed[n + p] = 0x80;
        assert.throws(() => decode(badFixed, (r) => r.fixedOpaque(n)), XdrDecodeError, `opaque[${n}] pad ${p}`);
        const badVar = Buffer.from(variable);
        badVar[4 + n + p] = 0xff;
        assert.throws(() => decode(badVar, (r) => r.varOpaque()), XdrDecodeError, `opaque<${n}> pad ${p}`);
      }
    }
  });

  test('invalid UTF-8 in a string is rejected with XdrDecodeError', () => {
    const invalid = [
      [0xff], [0xfe], [0x80], [0xc3], [0xc3, 0x28], [0xe2, 0x82], [0xe2, 0x28, 0xa1], [0xc0, 0xaf], // stray, truncated, overlong
      [0xe0, 0x80, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], // overlong, surrogate, > U+10FFFF
      [0x61, 0x62, 0xff, 0x63],
    ];
    for (const bytes of invalid) {
      const encoded = xdr((w) => w.varOpaque(Buffer.from(bytes)));
      assert.throws(() => decode(encoded, (r) => r.string()), XdrDecodeError, Buffer.from(bytes).toString('hex'));
    }
  });
});

describe('XDR writer', () => {
  test('out-of-range or non-integer values raise XdrEncodeError and write nothing', () => {
    const bad: Array<[string, (w: XdrWriter) => unknown]> = [
      ['int 2^31', (w) => w.int(INT_MAX + 1)], ['int -2^31-1', (w) => w.int(INT_MIN - 1)], ['int 1.5', (w) => w.int(1.5)],
      ['int NaN', (w) => w.int(Number.NaN)], ['int Infinity', (w) => w.int(Infinity)],
      ['uint -1', (w) => w.uint(-1)], ['uint 2^32', (w) => w.uint(UINT_MAX + 1)], ['uint 0.5', (w) => w.uint(0.5)], ['uint NaN', (w) => w.uint(Number.NaN)],
      ['hyper 2^63', (w) => w.hyper(HYPER_MAX + 1n)], ['hyper -2^63-1', (w) => w.hyper(HYPER_MIN - 1n)],
      ['uhyper -1', (w) => w.uhyper(-1n)], ['uhyper 2^64', (w) => w.uhyper(UHYPER_MAX + 1n)],
      ['string over max', (w) => w.string('abcd', 3)], ['multibyte string over max (bytes, not chars)', (w) => w.string('ééé', 5)],
      ['opaque over max', (w) => w.varOpaque(Buffer.alloc(5), 4)],
      ['array over max', (w) => w.varArray([1, 2, 3], 2, (x, v) => void x.int(v))],
      ['fixed opaque of the wrong size', (w) => w.fixedOpaque(Buffer.alloc(3), 4)],
      ['fixed array of the wrong size', (w) => w.fixedArray([1], 2, (x, v) => void x.int(v))],
      ['union with an out-of-range discriminant', (w) => w.union(UINT_MAX, () => {})],
    ];
    for (const [name, write] of bad) {
      const w = new XdrWriter().int(1);
      assert.throws(() => write(w), XdrEncodeError, name);
      assert.equal(w.length, 4, `${name}: nothing written`);
    }
  });

  test('the bounds themselves are accepted', () => {
    assert.equal(xdr((w) => w.string('abc', 3)).length, 8);
    assert.equal(xdr((w) => w.string('éé', 4)).length, 8);
    assert.equal(xdr((w) => w.varOpaque(Buffer.alloc(4), 4)).length, 8);
    assert.equal(xdr((w) => w.varArray([1, 2], 2, (x, v) => void x.int(v))).length, 12);
  });

  test('grows from a tiny initial buffer without corrupting earlier bytes', () => {
    const big = (w: XdrWriter) => {
      for (let i = 0; i < 100; i++) w.int(i).string(`item-${i}`).uhyper(BigInt(i) << 40n);
    };
    const small = new XdrWriter(1);
    big(small);
    const zero = new XdrWriter(0);
    big(zero);
    const reference = xdr(big);
    assert.deepEqual(small.toBuffer(), reference);
    assert.deepEqual(zero.toBuffer(), reference);
    assert.equal(small.length, reference.length);
    const r = new XdrReader(reference);
    for (let i = 0; i < 100; i++) {
      assert.equal(r.int(), i);
      assert.equal(r.string(), `item-${i}`);
      assert.equal(r.uhyper(), BigInt(i) << 40n);
    }
    r.finish('grown');
  });

  test('toBuffer returns a copy that later writes do not change', () => {
    const w = new XdrWriter(4).int(1);
    const first = w.toBuffer();
    first[0] = 0x99;
    w.int(2);
    assert.deepEqual(w.toBuffer(), hex('00000001 00000002'));
    assert.deepEqual(first, hex('99000001'));
  });

  test('every encoding is a multiple of 4 bytes', () => {
    for (let n = 0; n < 12; n++) {
      assert.equal(xdr((w) => w.string('q'.repeat(n))).length % 4, 0);
      assert.equal(xdr((w) => w.varOpaque(Buffer.alloc(n))).length % 4, 0);
      assert.equal(xdr((w) => w.fixedOpaque(Buffer.alloc(n))).length % 4, 0);
    }
  });
});

/** One value of any XDR kind, tagged so it can be written and read back. */
type Item =
  | { k: 'int'; v: number } | { k: 'uint'; v: number } | { k: 'hyper'; v: bigint } | { k: 'uhyper'; v: bigint }
  | { k: 'bool'; v: boolean } | { k: 'double'; v: number } | { k: 'string'; v: string } | { k: 'opaque'; v: Uint8Array }
  | { k: 'optional'; v: number | null } | { k: 'ints'; v: number[] };

const itemArb: fc.Arbitrary<Item> = fc.oneof(
  fc.integer({ min: INT_MIN, max: INT_MAX }).map((v): Item => ({ k: 'int', v })),
  fc.nat({ max: UINT_MAX }).map((v): Item => ({ k: 'uint', v })),
  fc.bigInt({ min: HYPER_MIN, max: HYPER_MAX }).map((v): Item => ({ k: 'hyper', v })),
  fc.bigInt({ min: 0n, max: UHYPER_MAX }).map((v): Item => ({ k: 'uhyper', v })),
  fc.boolean().map((v): Item => ({ k: 'bool', v })),
  fc.double().map((v): Item => ({ k: 'double', v })),
  fc.string({ unit: 'binary', maxLength: 20 }).map((v): Item => ({ k: 'string', v })),
  fc.uint8Array({ maxLength: 13 }).map((v): Item => ({ k: 'opaque', v })),
  fc.option(fc.integer({ min: INT_MIN, max: INT_MAX })).map((v): Item => ({ k: 'optional', v })),
  fc.array(fc.integer({ min: INT_MIN, max: INT_MAX }), { maxLength: 5 }).map((v): Item => ({ k: 'ints', v })),
);

function writeItem(w: XdrWriter, it: Item): void {
  switch (it.k) {
    case 'int': w.int(it.v); break;
    case 'uint': w.uint(it.v); break;
    case 'hyper': w.hyper(it.v); break;
    case 'uhyper': w.uhyper(it.v); break;
    case 'bool': w.bool(it.v); break;
    case 'double': w.double(it.v); break;
    case 'string': w.string(it.v); break;
    case 'opaque': w.varOpaque(it.v); break;
    case 'optional': w.optional(it.v, (x, v) => void x.int(v)); break;
    case 'ints': w.varArray(it.v, 5, (x, v) => void x.int(v)); break;
  }
}

function readItem(r: XdrReader, kind: Item['k']): Item {
  switch (kind) {
    case 'int': return { k: kind, v: r.int() };
    case 'uint': return { k: kind, v: r.uint() };
    case 'hyper': return { k: kind, v: r.hyper() };
    case 'uhyper': return { k: kind, v: r.uhyper() };
    case 'bool': return { k: kind, v: r.bool() };
    case 'double': return { k: kind, v: r.double() };
    case 'string': return { k: kind, v: r.string() };
    case 'opaque': return { k: kind, v: new Uint8Array(r.varOpaque()) };
    case 'optional': return { k: kind, v: r.optional((x) => x.int()) };
    case 'ints': return { k: kind, v: r.varArray(5, (x) => x.int()) };
  }
}

/** Normalises for deepEqual: opaque as plain Uint8Array, doubles compared with Object.is semantics. */
const normalise = (it: Item): unknown => (it.k === 'opaque' ? { k: it.k, v: Array.from(it.v) } : it.k === 'double' ? { k: it.k, v: Object.is(it.v, -0) ? '-0' : String(it.v) } : it);

describe('XDR property tests', () => {
  test('int, uint, hyper, uhyper round trip over their whole ranges', () => {
    fc.assert(fc.property(fc.integer({ min: INT_MIN, max: INT_MAX }), (v) => roundTrip((w) => w.int(v), (r) => r.int()) === v), RUNS);
    fc.assert(fc.property(fc.nat({ max: UINT_MAX }), (v) => roundTrip((w) => w.uint(v), (r) => r.uint()) === v), RUNS);
    fc.assert(fc.property(fc.bigInt({ min: HYPER_MIN, max: HYPER_MAX }), (v) => roundTrip((w) => w.hyper(v), (r) => r.hyper()) === v), RUNS);
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: UHYPER_MAX }), (v) => roundTrip((w) => w.uhyper(v), (r) => r.uhyper()) === v), RUNS);
  });

  test('doubles round trip bit-for-bit (Object.is)', () => {
    fc.assert(fc.property(fc.double(), (v) => Object.is(roundTrip((w) => w.double(v), (r) => r.double()), v)), RUNS);
  });

  test('any Unicode string round trips and its length word is its UTF-8 byte length', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
      const bytes = xdr((w) => w.string(s));
      assert.equal(bytes.readUInt32BE(0), Buffer.byteLength(s, 'utf8'));
      assert.equal(bytes.length % 4, 0);
      assert.equal(decode(bytes, (r) => r.string()), s);
    }), RUNS);
  });

  test('any bytes round trip as fixed and variable opaque', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), (data) => {
      const b = Buffer.from(data);
      assert.deepEqual(roundTrip((w) => w.varOpaque(b), (r) => r.varOpaque()), b);
      assert.deepEqual(roundTrip((w) => w.fixedOpaque(b), (r) => r.fixedOpaque(b.length)), b);
    }), RUNS);
  });

  test('any sequence of items round trips and is consumed exactly', () => {
    fc.assert(fc.property(fc.array(itemArb, { maxLength: 12 }), (items) => {
      const bytes = xdr((w) => items.forEach((it) => writeItem(w, it)));
      assert.equal(bytes.length % 4, 0);
      const back = decode(bytes, (r) => items.map((it) => readItem(r, it.k)));
      assert.deepEqual(back.map(normalise), items.map(normalise));
    }), RUNS);
  });

  test('any truncation of any non-empty sequence raises XdrDecodeError', () => {
    const arb = fc.array(itemArb, { minLength: 1, maxLength: 8 }).chain((items) => {
      const bytes = xdr((w) => items.forEach((it) => writeItem(w, it)));
      return fc.tuple(fc.constant(items), fc.constant(bytes), fc.nat({ max: bytes.length - 1 }));
    });
    fc.assert(fc.property(arb, ([items, bytes, cut]) => {
      const bounded = new XdrReader(bytes, 0, cut);
      assert.throws(() => items.forEach((it) => readItem(bounded, it.k)), XdrDecodeError);
      const sliced = new XdrReader(bytes.subarray(0, cut));
      assert.throws(() => items.forEach((it) => readItem(sliced, it.k)), XdrDecodeError);
    }), RUNS);
  });

  test('random bytes never make a reader throw anything but XdrDecodeError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (data) => {
      try {
        readSample(new XdrReader(Buffer.from(data)));
      } catch (err) {
        assert.ok(err instanceof XdrDecodeError, `unexpected ${String(err)}`);
      }
    }), RUNS);
  });
});
