/**
 * The compact, sans-I/O encoding of one snapshot's CPU times (snapshots.cpu_times): pairs of
 * (domain key, CPU time in ns) in ascending key order, each key written as the difference from the
 * previous one, both as unsigned LEB128 varints. A running domain with hours to days of CPU time
 * takes 8 bytes (a 1-byte key, a 7-byte time): 200 bytes for 25, against ~40 a row in a table.
 */
import { readVarint as readShared, writeVarint } from './varint.ts';

/** A truncated or malformed cpu_times value. */
export class CpuTimesDecodeError extends Error {
  override name = 'CpuTimesDecodeError';
}

/** Encodes (domain key → CPU ns); keys are positive integers, times non-negative. */
export function encodeCpuTimes(times: ReadonlyMap<number, bigint>): Buffer {
  const keys = [...times.keys()].sort((a, b) => a - b);
  const bytes: number[] = [];
  let previous = 0;
  for (const key of keys) {
    if (!Number.isSafeInteger(key) || key <= previous) throw new RangeError(`bad domain key ${key}`);
    writeVarint(bytes, BigInt(key - previous));
    writeVarint(bytes, times.get(key)!);
    previous = key;
  }
  return Buffer.from(bytes);
}

/** Decodes what encodeCpuTimes wrote. */
export function decodeCpuTimes(buf: Uint8Array): Map<number, bigint> {
  const out = new Map<number, bigint>();
  const at = { offset: 0 };
  let key = 0;
  while (at.offset < buf.length) {
    key += Number(readVarint(buf, at));
    out.set(key, readVarint(buf, at));
  }
  return out;
}

const readVarint = (buf: Uint8Array, at: { offset: number }) => readShared(buf, at, (problem) => new CpuTimesDecodeError(`cpu_times ${problem}`));
