/** Unsigned LEB128 varints, as the snapshot BLOB codecs (cpu-codec.ts, counters-codec.ts) write them. Sans-I/O. */

const MAX_VARINT_BYTES = 10; // 70 bits: more than any uint64

/** Appends `value` (non-negative) to `bytes`. */
export function writeVarint(bytes: number[], value: bigint): void {
  if (value < 0n) throw new RangeError(`negative value ${value}`);
  let v = value;
  while (v >= 0x80n) {
    bytes.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  bytes.push(Number(v));
}

/** Reads one varint at `at.offset` and moves past it; a truncated or overlong one is `fail(problem)`. */
export function readVarint(buf: Uint8Array, at: { offset: number }, fail: (problem: string) => Error): bigint {
  let value = 0n;
  for (let i = 0; i < MAX_VARINT_BYTES; i++) {
    const byte = buf[at.offset++];
    if (byte === undefined) throw fail('ends inside a number');
    value |= BigInt(byte & 0x7f) << BigInt(7 * i);
    if ((byte & 0x80) === 0) return value;
  }
  throw fail(`holds a number longer than ${MAX_VARINT_BYTES} bytes`);
}
