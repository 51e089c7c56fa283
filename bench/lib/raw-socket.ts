/**
 * The floor for any Node client: one hand-built CONNECT_GET_HOSTNAME packet written to a bare
 * net.Socket and its reply awaited, with no pending table, XDR decoding or promises per call beyond
 * one. Used to tell runtime + kernel + daemon cost apart from our client's own overhead.
 */
import net from 'node:net';
import { PacketStatus, PacketType, Program, PROTOCOL_VERSION, encodePacket } from '../../src/libvirt/packet.ts';
import { Proc, encodeArgs } from '../../src/libvirt/procedures.ts';

/** A handshaken raw connection that can do one call at a time. */
export class RawLibvirtSocket {
  private serial = 1;
  private waiter: ((b: Buffer) => void) | null = null;
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
  }

  /** Connects to a unix socket and opens `remoteUri` (AUTH_LIST, then CONNECT_OPEN). */
  static async open(path: string, remoteUri: string): Promise<RawLibvirtSocket> {
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.createConnection({ path }, () => resolve(s));
      s.once('error', reject);
    });
    const raw = new RawLibvirtSocket(socket);
    await raw.call(Proc.AUTH_LIST.proc, Buffer.alloc(0));
    await raw.call(Proc.CONNECT_OPEN.proc, encodeArgs(Proc.CONNECT_OPEN, { name: remoteUri, flags: 0 }));
    return raw;
  }

  /** Sends one CALL and resolves with the whole reply packet; throws on an error reply. */
  async call(proc: number, payload: Buffer): Promise<Buffer> {
    const serial = this.serial++;
    const packet = encodePacket({ prog: Program.REMOTE, vers: PROTOCOL_VERSION, proc, type: PacketType.CALL, serial, status: PacketStatus.OK }, payload);
    const reply = await new Promise<Buffer>((resolve) => {
      this.waiter = resolve;
      this.socket.write(packet);
    });
    if (reply.readUInt32BE(20) !== serial) throw new Error(`raw socket: reply serial ${reply.readUInt32BE(20)} != ${serial}`);
    if (reply.readInt32BE(24) !== PacketStatus.OK) throw new Error(`raw socket: procedure ${proc} failed`);
    return reply;
  }

  /** The smallest useful call: CONNECT_GET_HOSTNAME. */
  hostname(): Promise<Buffer> {
    return this.call(Proc.CONNECT_GET_HOSTNAME.proc, Buffer.alloc(0));
  }

  /** CONNECT_CLOSE, then drops the socket. */
  async close(): Promise<void> {
    await this.call(Proc.CONNECT_CLOSE.proc, Buffer.alloc(0)).catch(() => undefined);
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    const head = this.pending.length === 1 ? chunk : Buffer.concat(this.pending, this.pendingBytes);
    if (head.length < 4 || head.length < head.readUInt32BE(0)) return;
    this.pending = [];
    this.pendingBytes = 0;
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.(head);
  }
}
