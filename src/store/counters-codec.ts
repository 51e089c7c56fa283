/**
 * The compact, sans-I/O encoding of one snapshot's guest counters (snapshots.guest_counters): for
 * each running guest, in ascending domain key order (each key as the difference from the previous),
 * a flags byte (1: the increases below are since the previous snapshot; 0: the guest was not in
 * it, or restarted, so there is no increase), memory actual and used KiB (+1, so 0 is unknown),
 * then its disks (count; per disk a device id and the increase of read bytes, write bytes, read
 * requests, write requests) and NICs (count; per NIC a device id and the increase of bytes and
 * packets in and out). All unsigned LEB128 varints, then the whole deflated.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { readVarint, writeVarint } from './varint.ts';

/** One disk's or NIC's increases since the previous snapshot. */
export interface DeviceIncrease { device: number; a: bigint; b: bigint; c: bigint; d: bigint }

/** One guest's entry. */
export interface GuestSample {
  /** The increases are since the previous snapshot (else there is none to speak of). */
  continued: boolean;
  actualKiB: bigint | null;
  usedKiB: bigint | null;
  disks: DeviceIncrease[];
  nics: DeviceIncrease[];
}

/** A truncated or malformed guest_counters value. */
export class CountersDecodeError extends Error {
  override name = 'CountersDecodeError';
}

/** Encodes guest samples by domain key, deflated (raw DEFLATE: the varints of many guests repeat). */
export function encodeGuestCounters(samples: ReadonlyMap<number, GuestSample>): Buffer {
  return deflateRawSync(encodePlain(samples));
}

/** Decodes what encodeGuestCounters wrote. */
export function decodeGuestCounters(buf: Uint8Array): Map<number, GuestSample> {
  return decodePlain(inflate(buf));
}

function inflate(buf: Uint8Array): Buffer {
  try {
    return inflateRawSync(buf, { maxOutputLength: MAX_PLAIN_BYTES });
  } catch (err) {
    throw new CountersDecodeError(`guest_counters does not inflate: ${(err as Error).message}`);
  }
}

/** Only the entry of domain `key` (null when the guest is not in it): stops once past it. */
export function decodeGuestCountersOf(buf: Uint8Array, key: number): GuestSample | null {
  return decodePlain(inflate(buf), key).get(key) ?? null;
}

/** The largest inflated value accepted (a guard against a corrupted or hostile row). */
const MAX_PLAIN_BYTES = 16 * 1024 * 1024;

function encodePlain(samples: ReadonlyMap<number, GuestSample>): Buffer {
  const bytes: number[] = [];
  let previous = 0;
  for (const key of [...samples.keys()].sort((a, b) => a - b)) {
    if (!Number.isSafeInteger(key) || key <= previous) throw new RangeError(`bad domain key ${key}`);
    const s = samples.get(key)!;
    varint(bytes, BigInt(key - previous));
    bytes.push(s.continued ? 1 : 0);
    varint(bytes, s.actualKiB === null ? 0n : s.actualKiB + 1n);
    varint(bytes, s.usedKiB === null ? 0n : s.usedKiB + 1n);
    for (const devices of [s.disks, s.nics]) {
      varint(bytes, BigInt(devices.length));
      for (const d of devices) for (const v of [BigInt(d.device), d.a, d.b, d.c, d.d]) varint(bytes, v);
    }
    previous = key;
  }
  return Buffer.from(bytes);
}

function decodePlain(buf: Uint8Array, only?: number): Map<number, GuestSample> {
  const out = new Map<number, GuestSample>();
  const at = { offset: 0 };
  let key = 0;
  while (at.offset < buf.length) {
    key += Number(read(buf, at));
    if (only !== undefined && key > only) break;
    const flags = buf[at.offset++];
    if (flags === undefined || flags > 1) throw new CountersDecodeError('guest_counters has a bad flags byte');
    const actual = read(buf, at);
    const used = read(buf, at);
    const disks = devices(buf, at);
    const nics = devices(buf, at);
    out.set(key, { continued: flags === 1, actualKiB: actual === 0n ? null : actual - 1n, usedKiB: used === 0n ? null : used - 1n, disks, nics });
  }
  return out;
}

const MAX_DEVICES = 4096;

function devices(buf: Uint8Array, at: { offset: number }): DeviceIncrease[] {
  const n = Number(read(buf, at));
  if (n > MAX_DEVICES) throw new CountersDecodeError(`guest_counters lists ${n} devices`);
  return Array.from({ length: n }, () => ({ device: Number(read(buf, at)), a: read(buf, at), b: read(buf, at), c: read(buf, at), d: read(buf, at) }));
}

const varint = writeVarint;
const read = (buf: Uint8Array, at: { offset: number }) => readVarint(buf, at, (problem) => new CountersDecodeError(`guest_counters ${problem}`));
