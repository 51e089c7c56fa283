/**
 * libvirt RPC packet framing (virnetprotocol.x, checked against libvirtd 9.0.0): a big-endian u32
 * length that counts itself, a 24-byte header, then the payload. Sans-I/O.
 */

/** Program numbers. */
export const Program = {
  REMOTE: 0x20008086,
  QEMU: 0x20008087,
  LXC: 0x00068000,
  KEEPALIVE: 0x6b656570,
} as const;

/** Packet types (virNetMessageType). */
export const PacketType = {
  CALL: 0,
  REPLY: 1,
  MESSAGE: 2,
  STREAM: 3,
  CALL_WITH_FDS: 4,
  REPLY_WITH_FDS: 5,
} as const;

/** Packet status (virNetMessageStatus). */
export const PacketStatus = { OK: 0, ERROR: 1, CONTINUE: 2 } as const;

/** Keepalive procedures (virkeepaliveprotocol.x). */
export const KeepaliveProc = { PING: 1, PONG: 2 } as const;

/** The length word plus the 24-byte header. */
export const HEADER_SIZE = 28;
/** virNetMessage's maximum: header plus payload at most 16 MiB, plus the length word. */
export const MAX_PACKET_SIZE = 16 * 1024 * 1024 + 4;
/** Protocol version of every program we speak. */
export const PROTOCOL_VERSION = 1;

/** The header fields of one packet. */
export interface PacketHeader {
  prog: number;
  vers: number;
  proc: number;
  type: number;
  serial: number;
  status: number;
}

/** One decoded packet: header and raw payload. */
export interface Packet extends PacketHeader {
  payload: Buffer;
}

/** Raised when the byte stream cannot be framed; the connection must be dropped. */
export class FramingError extends Error {
  override name = 'FramingError';
}

/** Encodes a whole packet: length word, header, payload. */
export function encodePacket(header: PacketHeader, payload: Uint8Array = Buffer.alloc(0)): Buffer {
  const length = HEADER_SIZE + payload.length;
  if (length > MAX_PACKET_SIZE) throw new FramingError(`packet of ${length} bytes exceeds ${MAX_PACKET_SIZE}`);
  const out = Buffer.allocUnsafe(length);
  out.writeUInt32BE(length, 0);
  out.writeUInt32BE(header.prog, 4);
  out.writeUInt32BE(header.vers, 8);
  out.writeInt32BE(header.proc, 12);
  out.writeInt32BE(header.type, 16);
  out.writeUInt32BE(header.serial, 20);
  out.writeInt32BE(header.status, 24);
  out.set(payload, HEADER_SIZE);
  return out;
}

/**
 * Incremental decoder: push any chunks, get whole packets. A bad length word is fatal (there is
 * no way to find the next packet), so it throws FramingError and stays failed; never skips bytes.
 */
export class PacketDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private failure: FramingError | null = null;

  constructor(private readonly maxPacketSize = MAX_PACKET_SIZE) {}

  /**
   * Adds bytes and returns every packet now complete. Packets completed before a bad length word
   * are still returned; the failure is then in `failure` and the next push throws it.
   */
  push(chunk: Buffer): Packet[] {
    if (this.failure) throw this.failure;
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    const packets: Packet[] = [];
    try {
      for (;;) {
        const length = this.peekLength();
        if (length === null || this.buffered < length) break;
        packets.push(decodePacket(this.consume(length)));
      }
    } catch (err) {
      if (packets.length === 0) throw err;
    }
    return packets;
  }

  /** The framing error that stopped this decoder, if any. */
  get failed(): FramingError | null {
    return this.failure;
  }

  /** Bytes held waiting for the rest of a packet. */
  get pendingBytes(): number {
    return this.buffered;
  }

  private peekLength(): number | null {
    if (this.buffered < 4) return null;
    const head = this.chunks[0]!.length >= 4 ? this.chunks[0]! : this.flatten();
    const length = head.readUInt32BE(0);
    if (length < HEADER_SIZE || length > this.maxPacketSize) {
      this.failure = new FramingError(`invalid packet length ${length} (allowed ${HEADER_SIZE}..${this.maxPacketSize})`);
      throw this.failure;
    }
    return length;
  }

  private flatten(): Buffer {
    const all = Buffer.concat(this.chunks, this.buffered);
    this.chunks = [all];
    return all;
  }

  private consume(n: number): Buffer {
    const first = this.chunks[0]!;
    if (first.length < n) this.flatten();
    const head = this.chunks[0]!;
    const packet = head.subarray(0, n);
    if (head.length === n) this.chunks.shift();
    else this.chunks[0] = head.subarray(n);
    this.buffered -= n;
    return packet;
  }
}

/** Decodes one whole packet (length word included). */
export function decodePacket(bytes: Buffer): Packet {
  if (bytes.length < HEADER_SIZE) throw new FramingError(`packet of ${bytes.length} bytes is shorter than its header`);
  const length = bytes.readUInt32BE(0);
  if (length !== bytes.length) throw new FramingError(`length word ${length} does not match ${bytes.length} bytes`);
  return {
    prog: bytes.readUInt32BE(4),
    vers: bytes.readUInt32BE(8),
    proc: bytes.readInt32BE(12),
    type: bytes.readInt32BE(16),
    serial: bytes.readUInt32BE(20),
    status: bytes.readInt32BE(24),
    payload: bytes.subarray(HEADER_SIZE),
  };
}
