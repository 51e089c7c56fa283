/** The compact CPU-times encoding: round trips, its size, and malformed input. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CpuTimesDecodeError, decodeCpuTimes, encodeCpuTimes } from '../../src/store/cpu-codec.ts';

describe('cpu times codec', () => {
  test('round trip of any set of keys and 64-bit times', () => {
    const entry = fc.tuple(fc.integer({ min: 1, max: 1_000_000 }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }));
    fc.assert(fc.property(fc.array(entry, { maxLength: 200 }), (entries) => {
      const times = new Map(entries);
      assert.deepEqual(decodeCpuTimes(encodeCpuTimes(times)), new Map([...times].sort((a, b) => a[0] - b[0])));
    }), { numRuns: 300 });
  });

  test('empty is zero bytes', () => {
    assert.equal(encodeCpuTimes(new Map()).length, 0);
    assert.deepEqual(decodeCpuTimes(Buffer.alloc(0)), new Map());
  });

  test('25 domains with 3 hours of CPU time each take 8 bytes a domain', () => {
    const times = new Map(Array.from({ length: 25 }, (_, i) => [i * 4 + 1, 3n * 3600n * 1_000_000_000n + BigInt(i)] as [number, bigint]));
    const bytes = encodeCpuTimes(times);
    assert.equal(bytes.length, 25 * 8, 'a 1-byte key difference and a 7-byte time (44 bits)');
    assert.deepEqual(decodeCpuTimes(bytes), times);
  });

  test('exact bytes: keys as differences, LEB128', () => {
    assert.deepEqual([...encodeCpuTimes(new Map([[3, 300n], [1, 1n]]))], [1, 1, 2, 0xac, 0x02]);
  });

  test('truncated or overlong input is an error, never a wrong value', () => {
    const bytes = encodeCpuTimes(new Map([[1, 1n << 40n]]));
    for (let cut = 1; cut < bytes.length; cut++) assert.throws(() => decodeCpuTimes(bytes.subarray(0, cut)), CpuTimesDecodeError);
    assert.throws(() => decodeCpuTimes(Buffer.from([1, ...Array(11).fill(0x80), 0])), /longer than 10 bytes/);
  });

  test('refuses keys that are not positive integers, and negative times', () => {
    assert.throws(() => encodeCpuTimes(new Map([[0, 1n]])), RangeError);
    assert.throws(() => encodeCpuTimes(new Map([[1.5, 1n]])), RangeError);
    assert.throws(() => encodeCpuTimes(new Map([[1, -1n]])), RangeError);
  });
});
