/**
 * Test-frame builders (in the spirit of node-postgres' testing/test-buffers.ts): whole libvirt RPC
 * packets made from header fields plus an XdrWriter-built payload, so tests and fake daemons never
 * type packets as hex. The header is written here with XdrWriter, independently of encodePacket,
 * so a test comparing the two checks one against the other.
 */
import { XdrWriter } from '../../src/libvirt/xdr.ts';
import {
  HEADER_SIZE, KeepaliveProc, PacketStatus, PacketType, Program, PROTOCOL_VERSION, type PacketHeader,
} from '../../src/libvirt/packet.ts';
import { writeRemoteError, type RemoteError } from '../../src/libvirt/types.ts';

/** A payload: ready bytes, or a function that writes it with an XdrWriter. */
export type PayloadSource = Uint8Array | ((w: XdrWriter) => void);

/** A procedure given by number or by anything carrying its number (e.g. an entry of Proc). */
export type ProcRef = number | { readonly proc: number };

/** The number of a ProcRef. */
export const procNumber = (proc: ProcRef): number => (typeof proc === 'number' ? proc : proc.proc);

/** Builds a payload with a fresh XdrWriter. */
export function xdr(build: (w: XdrWriter) => void): Buffer {
  const w = new XdrWriter();
  build(w);
  return w.toBuffer();
}

/** Resolves a PayloadSource (undefined = empty) to bytes. */
export function payloadBytes(payload?: PayloadSource): Buffer {
  if (payload === undefined) return Buffer.alloc(0);
  return typeof payload === 'function' ? xdr(payload) : Buffer.from(payload);
}

/** Header fields for `frame`; prog defaults to REMOTE, vers to 1, serial to 0, status to OK. */
export interface FrameHeader {
  prog?: number;
  vers?: number;
  proc: ProcRef;
  type: number;
  serial?: number;
  status?: number;
}

/** The full PacketHeader a FrameHeader stands for, defaults applied. */
export function frameHeader(h: FrameHeader): PacketHeader {
  return {
    prog: h.prog ?? Program.REMOTE,
    vers: h.vers ?? PROTOCOL_VERSION,
    proc: procNumber(h.proc),
    type: h.type,
    serial: h.serial ?? 0,
    status: h.status ?? PacketStatus.OK,
  };
}

/** One whole packet: length word (counting itself), 24-byte header, payload. */
export function frame(header: FrameHeader, payload?: PayloadSource): Buffer {
  const h = frameHeader(header);
  const body = payloadBytes(payload);
  const w = new XdrWriter(HEADER_SIZE + body.length);
  w.uint(HEADER_SIZE + body.length).uint(h.prog).uint(h.vers).int(h.proc).int(h.type).uint(h.serial).int(h.status);
  w.raw(body);
  return w.toBuffer();
}

/** A REMOTE CALL packet. */
export function callFrame(proc: ProcRef, serial: number, payload?: PayloadSource): Buffer {
  return frame({ proc, type: PacketType.CALL, serial }, payload);
}

/** A REMOTE REPLY packet with status OK. */
export function replyFrame(proc: ProcRef, serial: number, payload?: PayloadSource): Buffer {
  return frame({ proc, type: PacketType.REPLY, serial }, payload);
}

/** The remote_error fields a test usually cares about; the rest default as libvirtd sends them. */
export type ErrorFields = Pick<RemoteError, 'code' | 'domain' | 'message'> & Partial<RemoteError>;

/** A complete RemoteError: level ERROR(2), str1..3 NULL, int1/int2 -1 unless given. */
export function remoteError(e: ErrorFields): RemoteError {
  return { level: 2, str1: null, str2: null, str3: null, int1: -1, int2: -1, ...e };
}

/** A REMOTE REPLY packet with status ERROR and a remote_error payload (dom and net NULL). */
export function errorReplyFrame(proc: ProcRef, serial: number, error: ErrorFields): Buffer {
  return frame({ proc, type: PacketType.REPLY, serial, status: PacketStatus.ERROR }, (w) => writeRemoteError(w, remoteError(error)));
}

/** A REMOTE MESSAGE (event) packet; serial 1, as libvirtd really sends events. */
export function eventFrame(proc: ProcRef, payload?: PayloadSource, serial = 1): Buffer {
  return frame({ proc, type: PacketType.MESSAGE, serial }, payload);
}

/** A keepalive PING: prog KEEPALIVE, MESSAGE, serial 0, no payload. */
export function pingFrame(): Buffer {
  return frame({ prog: Program.KEEPALIVE, proc: KeepaliveProc.PING, type: PacketType.MESSAGE });
}

/** A keepalive PONG: prog KEEPALIVE, MESSAGE, serial 0, no payload. */
export function pongFrame(): Buffer {
  return frame({ prog: Program.KEEPALIVE, proc: KeepaliveProc.PONG, type: PacketType.MESSAGE });
}

/**
 * Bytes from hex as the fact sheet writes it: words separated by spaces or newlines, with '|'
 * allowed as a visual separator between header and payload. Throws on anything else.
 */
export function hex(s: string): Buffer {
  const digits = s.replace(/[\s|]+/g, '');
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(digits)) throw new Error(`not an even run of hex digits: '${s}'`);
  return Buffer.from(digits, 'hex');
}

/** Splits a buffer at the given offsets (ascending, in 0..length) into consecutive chunks. */
export function splitAt(bytes: Buffer, offsets: readonly number[]): Buffer[] {
  const chunks: Buffer[] = [];
  let from = 0;
  for (const at of offsets) {
    chunks.push(bytes.subarray(from, at));
    from = at;
  }
  chunks.push(bytes.subarray(from));
  return chunks;
}
