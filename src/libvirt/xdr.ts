/**
 * Sans-I/O XDR (RFC 4506) codec as libvirt's RPC uses it: big-endian, every item padded to 4 bytes.
 * The Reader never reads past its buffer; malformed input raises XdrDecodeError.
 */

/** Raised when bytes cannot be decoded as the expected XDR type. */
export class XdrDecodeError extends Error {
  override name = 'XdrDecodeError';
}

/** Raised when a value cannot be encoded (out of range, too long). */
export class XdrEncodeError extends Error {
  override name = 'XdrEncodeError';
}

const textDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const INT_MIN = -0x8000_0000;
const INT_MAX = 0x7fff_ffff;
const UINT_MAX = 0xffff_ffff;
const HYPER_MIN = -(1n << 63n);
const HYPER_MAX = (1n << 63n) - 1n;
const UHYPER_MAX = (1n << 64n) - 1n;

function padOf(length: number): number {
  return (4 - (length % 4)) % 4;
}

/** Reads XDR items from a buffer, advancing an offset; bounds-checked. */
export class XdrReader {
  private offset: number;
  private readonly end: number;

  constructor(
    private readonly buf: Buffer,
    start = 0,
    end = buf.length,
  ) {
    this.offset = start;
    this.end = end;
  }

  /** Bytes not yet consumed. */
  get remaining(): number {
    return this.end - this.offset;
  }

  /** Current offset into the underlying buffer. */
  get position(): number {
    return this.offset;
  }

  private take(n: number, what: string): number {
    if (n < 0 || n > this.end - this.offset) {
      throw new XdrDecodeError(`${what}: need ${n} bytes at offset ${this.offset}, have ${this.end - this.offset}`);
    }
    const at = this.offset;
    this.offset += n;
    return at;
  }

  /** Signed 32-bit int (also enum). */
  int(): number {
    return this.buf.readInt32BE(this.take(4, 'int'));
  }

  /** Unsigned 32-bit int. */
  uint(): number {
    return this.buf.readUInt32BE(this.take(4, 'uint'));
  }

  /** Signed 64-bit hyper as bigint. */
  hyper(): bigint {
    return this.buf.readBigInt64BE(this.take(8, 'hyper'));
  }

  /** Unsigned 64-bit hyper as bigint. */
  uhyper(): bigint {
    return this.buf.readBigUInt64BE(this.take(8, 'unsigned hyper'));
  }

  /** Boolean: any non-zero word is true, as libvirt's own decoder does. */
  bool(): boolean {
    return this.uint() !== 0;
  }

  /** IEEE-754 double. */
  double(): number {
    return this.buf.readDoubleBE(this.take(8, 'double'));
  }

  /** Fixed-length opaque: n bytes plus padding, no length word. */
  fixedOpaque(n: number): Buffer {
    const at = this.take(n, 'fixed opaque');
    this.skipPadding(n);
    return Buffer.from(this.buf.subarray(at, at + n));
  }

  /** Variable-length opaque with an upper bound. */
  varOpaque(max = UINT_MAX): Buffer {
    const n = this.uint();
    if (n > max) throw new XdrDecodeError(`opaque length ${n} exceeds maximum ${max}`);
    return this.fixedOpaque(n);
  }

  /** UTF-8 string with an upper bound. */
  string(max = UINT_MAX): string {
    const n = this.uint();
    if (n > max) throw new XdrDecodeError(`string length ${n} exceeds maximum ${max}`);
    const at = this.take(n, 'string');
    this.skipPadding(n);
    try {
      return textDecoder.decode(this.buf.subarray(at, at + n));
    } catch {
      throw new XdrDecodeError(`string at offset ${at} is not valid UTF-8`);
    }
  }

  /** Optional value: a 0/1 word, then the value when 1. */
  optional<T>(item: (r: XdrReader) => T): T | null {
    const present = this.uint();
    if (present > 1) throw new XdrDecodeError(`optional discriminant ${present} is neither 0 nor 1`);
    return present === 1 ? item(this) : null;
  }

  /** Fixed-length array: n elements, no count word. */
  fixedArray<T>(n: number, item: (r: XdrReader) => T): T[] {
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(item(this));
    return out;
  }

  /** Variable-length array with an upper bound on its count. */
  varArray<T>(max: number, item: (r: XdrReader) => T): T[] {
    const n = this.uint();
    if (n > max) throw new XdrDecodeError(`array count ${n} exceeds maximum ${max}`);
    // Each element takes at least 4 bytes: reject counts the buffer cannot hold before allocating.
    if (n * 4 > this.remaining) throw new XdrDecodeError(`array count ${n} cannot fit in ${this.remaining} bytes`);
    return this.fixedArray(n, item);
  }

  /** Discriminated union: an int discriminant selects the arm. */
  union<T>(arms: Record<number, (r: XdrReader) => T>): T {
    const d = this.int();
    const arm = arms[d];
    if (!arm) throw new XdrDecodeError(`union discriminant ${d} has no arm`);
    return arm(this);
  }

  /** Asserts every byte was consumed. */
  finish(what: string): void {
    if (this.remaining !== 0) throw new XdrDecodeError(`${what}: ${this.remaining} trailing bytes`);
  }

  private skipPadding(n: number): void {
    const pad = padOf(n);
    const at = this.take(pad, 'padding');
    for (let i = 0; i < pad; i++) {
      if (this.buf[at + i] !== 0) throw new XdrDecodeError(`non-zero padding at offset ${at + i}`);
    }
  }
}

/** Appends XDR items to a growable buffer. */
export class XdrWriter {
  private buf: Buffer;
  private offset = 0;

  constructor(initialSize = 256) {
    this.buf = Buffer.alloc(initialSize);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.offset;
  }

  private reserve(n: number): number {
    if (this.offset + n > this.buf.length) {
      const grown = Buffer.alloc(Math.max(this.buf.length * 2, this.offset + n));
      this.buf.copy(grown, 0, 0, this.offset);
      this.buf = grown;
    }
    const at = this.offset;
    this.offset += n;
    return at;
  }

  /** Signed 32-bit int. */
  int(v: number): this {
    if (!Number.isInteger(v) || v < INT_MIN || v > INT_MAX) throw new XdrEncodeError(`int out of range: ${v}`);
    const at = this.reserve(4);
    this.buf.writeInt32BE(v, at);
    return this;
  }

  /** Unsigned 32-bit int. */
  uint(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > UINT_MAX) throw new XdrEncodeError(`uint out of range: ${v}`);
    const at = this.reserve(4);
    this.buf.writeUInt32BE(v, at);
    return this;
  }

  /** Signed 64-bit hyper. */
  hyper(v: bigint): this {
    if (v < HYPER_MIN || v > HYPER_MAX) throw new XdrEncodeError(`hyper out of range: ${v}`);
    const at = this.reserve(8);
    this.buf.writeBigInt64BE(v, at);
    return this;
  }

  /** Unsigned 64-bit hyper. */
  uhyper(v: bigint): this {
    if (v < 0n || v > UHYPER_MAX) throw new XdrEncodeError(`unsigned hyper out of range: ${v}`);
    const at = this.reserve(8);
    this.buf.writeBigUInt64BE(v, at);
    return this;
  }

  /** Boolean as 0/1. */
  bool(v: boolean): this {
    return this.uint(v ? 1 : 0);
  }

  /** IEEE-754 double. */
  double(v: number): this {
    const at = this.reserve(8);
    this.buf.writeDoubleBE(v, at);
    return this;
  }

  /** Fixed-length opaque: exactly n bytes plus padding. */
  fixedOpaque(bytes: Uint8Array, n: number = bytes.length): this {
    if (bytes.length !== n) throw new XdrEncodeError(`fixed opaque needs ${n} bytes, got ${bytes.length}`);
    const at = this.reserve(n + padOf(n));
    this.buf.set(bytes, at);
    this.buf.fill(0, at + n, at + n + padOf(n));
    return this;
  }

  /** Variable-length opaque with an upper bound. */
  varOpaque(bytes: Uint8Array, max = UINT_MAX): this {
    if (bytes.length > max) throw new XdrEncodeError(`opaque length ${bytes.length} exceeds maximum ${max}`);
    return this.uint(bytes.length).fixedOpaque(bytes);
  }

  /** UTF-8 string with an upper bound on its byte length. */
  string(v: string, max = UINT_MAX): this {
    const bytes = Buffer.from(v, 'utf8');
    if (bytes.length > max) throw new XdrEncodeError(`string length ${bytes.length} exceeds maximum ${max}`);
    return this.uint(bytes.length).fixedOpaque(bytes);
  }

  /** Optional value: 0, or 1 then the value. */
  optional<T>(v: T | null | undefined, item: (w: XdrWriter, v: T) => void): this {
    if (v === null || v === undefined) return this.uint(0);
    this.uint(1);
    item(this, v);
    return this;
  }

  /** Fixed-length array: exactly n elements, no count word. */
  fixedArray<T>(items: readonly T[], n: number, item: (w: XdrWriter, v: T) => void): this {
    if (items.length !== n) throw new XdrEncodeError(`fixed array needs ${n} elements, got ${items.length}`);
    for (const v of items) item(this, v);
    return this;
  }

  /** Variable-length array with an upper bound on its count. */
  varArray<T>(items: readonly T[], max: number, item: (w: XdrWriter, v: T) => void): this {
    if (items.length > max) throw new XdrEncodeError(`array count ${items.length} exceeds maximum ${max}`);
    this.uint(items.length);
    for (const v of items) item(this, v);
    return this;
  }

  /** Discriminated union: the discriminant, then the arm's encoding. */
  union(discriminant: number, arm: (w: XdrWriter) => void): this {
    this.int(discriminant);
    arm(this);
    return this;
  }

  /** Raw bytes already XDR-encoded. */
  raw(bytes: Uint8Array): this {
    const at = this.reserve(bytes.length);
    this.buf.set(bytes, at);
    return this;
  }

  /** A copy of the bytes written. */
  toBuffer(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.offset));
  }
}
