/**
 * One socket to libvirtd and nothing more: framing, the pending-call table keyed by serial,
 * keepalive both ways, event delivery, and the packets of open streams. The only module that
 * touches a socket. When the socket closes, times out or sends bytes that cannot be framed, every
 * pending call is rejected and every open stream failed at once.
 */
import net from 'node:net';
import { LibvirtUnavailableError } from './errors.ts';
import {
  FramingError, KeepaliveProc, PacketDecoder, PacketStatus, PacketType, Program, PROTOCOL_VERSION,
  encodePacket, type Packet,
} from './packet.ts';
import type { Endpoint } from './uri.ts';

/** Keepalive settings, as libvirt's keepalive_interval / keepalive_count. */
export interface KeepaliveOptions {
  /** Seconds of inbound silence before we send a PING (libvirt's default 5). */
  intervalMs: number;
  /** PINGs sent without any inbound packet before the peer is declared dead (libvirt's default 5). */
  count: number;
}

interface PendingCall {
  resolve: (p: Packet) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout | undefined;
}

/** The owner of an open stream: told each of its STREAM packets, and when the connection is lost. */
export interface StreamSink {
  onPacket(packet: Packet): void;
  onLost(reason: Error): void;
}

/** Options for opening a connection. */
export interface ConnectionOptions {
  connectTimeoutMs: number;
  onEvent: (packet: Packet) => void;
  onClose: (reason: Error) => void;
}

/** Raised when one call gets no reply in time; the connection itself stays up. */
export class LibvirtTimeoutError extends LibvirtUnavailableError {
  override name = 'LibvirtTimeoutError';
}

/** A live socket speaking libvirt's RPC framing. */
export class RpcConnection {
  private readonly decoder = new PacketDecoder();
  private readonly pending = new Map<number, PendingCall>();
  private readonly streams = new Map<number, StreamSink>();
  private nextSerial = 1;
  private closedWith: Error | null = null;
  private keepaliveTimer: NodeJS.Timeout | undefined;
  private pingsUnanswered = 0;
  private lastInbound = Date.now();

  private constructor(
    private readonly socket: net.Socket,
    private readonly options: ConnectionOptions,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.fail(new LibvirtUnavailableError(`libvirt socket error: ${err.message}`, { cause: err })));
    socket.on('close', () => this.fail(new LibvirtUnavailableError('libvirt connection closed')));
  }

  /** Opens the socket to an endpoint; rejects with LibvirtUnavailableError when it cannot. */
  static open(endpoint: Endpoint, options: ConnectionOptions): Promise<RpcConnection> {
    return new Promise((resolve, reject) => {
      const socket = endpoint.transport === 'unix'
        ? net.createConnection({ path: endpoint.path })
        : net.createConnection({ host: endpoint.host, port: endpoint.port, noDelay: true });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new LibvirtUnavailableError(`timed out connecting to ${endpoint.display}`));
      }, options.connectTimeoutMs);
      const onError = (err: Error) => {
        clearTimeout(timer);
        reject(new LibvirtUnavailableError(`cannot connect to ${endpoint.display}: ${err.message}`, { cause: err }));
      };
      socket.once('error', onError);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', onError);
        resolve(new RpcConnection(socket, options));
      });
    });
  }

  /** True until the socket is gone. */
  get isOpen(): boolean {
    return this.closedWith === null;
  }

  /** Calls in flight. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Sends a CALL and resolves with its REPLY packet (OK or ERROR); timeoutMs 0 waits forever. */
  call(prog: number, proc: number, payload: Buffer, timeoutMs: number): Promise<Packet> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const serial = this.takeSerial();
    const bytes = encodePacket({ prog, vers: PROTOCOL_VERSION, proc, type: PacketType.CALL, serial, status: PacketStatus.OK }, payload);
    return new Promise((resolve, reject) => {
      const timer = timeoutMs > 0
        ? setTimeout(() => {
          this.pending.delete(serial);
          reject(new LibvirtTimeoutError(`libvirt call ${proc} got no reply within ${timeoutMs} ms`));
        }, timeoutMs)
        : undefined;
      this.pending.set(serial, { resolve, reject, timer });
      this.socket.write(bytes);
    });
  }

  /**
   * Sends a CALL that opens a stream: `sink` gets the stream's packets (same proc and serial) from
   * before the reply is even read, since libvirtd may send data right behind it. Resolves with the
   * serial the stream's own packets must carry, once the REPLY is OK; an error reply rejects.
   */
  async openStream(prog: number, proc: number, payload: Buffer, timeoutMs: number, sink: StreamSink): Promise<{ serial: number; reply: Packet }> {
    if (this.closedWith) throw this.closedWith;
    const serial = this.nextSerial;
    this.streams.set(serial, sink);
    try {
      const reply = await this.call(prog, proc, payload, timeoutMs);
      if (reply.status !== PacketStatus.OK) this.streams.delete(serial);
      return { serial, reply };
    } catch (err) {
      this.streams.delete(serial);
      throw err;
    }
  }

  /** Sends one STREAM packet of an open stream; false when the socket's buffer is full (await writable()). */
  sendStream(prog: number, proc: number, serial: number, status: number, payload?: Uint8Array): boolean {
    if (this.closedWith) throw this.closedWith;
    return this.socket.write(encodePacket({ prog, vers: PROTOCOL_VERSION, proc, type: PacketType.STREAM, serial, status }, payload));
  }

  /** Resolves when the socket's write buffer has drained (at once when it has room); rejects once closed. */
  writable(): Promise<void> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    if (!this.socket.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = () => { this.socket.off('drain', done); this.socket.off('close', done); if (this.closedWith) reject(this.closedWith); else resolve(); };
      this.socket.once('drain', done);
      this.socket.once('close', done);
    });
  }

  /** Stops routing a stream's packets to its sink (after its end). */
  forgetStream(serial: number): void {
    this.streams.delete(serial);
  }

  /** Starts sending our PINGs and declares the peer dead after `count` unanswered intervals. */
  startKeepalive(opts: KeepaliveOptions): void {
    clearInterval(this.keepaliveTimer);
    this.keepaliveTimer = setInterval(() => this.keepaliveTick(opts), opts.intervalMs);
    this.keepaliveTimer.unref();
  }

  /** Destroys the socket, rejecting every pending call with `reason`. */
  destroy(reason: Error = new LibvirtUnavailableError('libvirt connection closed by the client')): void {
    this.fail(reason);
  }

  private takeSerial(): number {
    const serial = this.nextSerial;
    this.nextSerial = serial >= 0xffff_ffff ? 1 : serial + 1;
    return serial;
  }

  private keepaliveTick(opts: KeepaliveOptions): void {
    if (Date.now() - this.lastInbound < opts.intervalMs) {
      this.pingsUnanswered = 0;
      return;
    }
    if (this.pingsUnanswered >= opts.count) {
      this.fail(new LibvirtUnavailableError(`libvirt peer did not answer ${opts.count} keepalive pings; declared dead`));
      return;
    }
    this.pingsUnanswered++;
    this.sendKeepalive(KeepaliveProc.PING);
  }

  private sendKeepalive(proc: number): void {
    if (this.closedWith) return;
    this.socket.write(encodePacket({ prog: Program.KEEPALIVE, vers: PROTOCOL_VERSION, proc, type: PacketType.MESSAGE, serial: 0, status: PacketStatus.OK }));
  }

  private onData(chunk: Buffer): void {
    this.lastInbound = Date.now();
    this.pingsUnanswered = 0;
    let packets: Packet[];
    try {
      packets = this.decoder.push(chunk);
    } catch (err) {
      const message = err instanceof FramingError ? err.message : String(err);
      this.fail(new LibvirtUnavailableError(`libvirt framing error: ${message}`, { cause: err }));
      return;
    }
    for (const packet of packets) this.route(packet);
    const broken = this.decoder.failed;
    if (broken) this.fail(new LibvirtUnavailableError(`libvirt framing error: ${broken.message}`, { cause: broken }));
  }

  // Route by program and type first: events carry serial 1 (not 0 as documented) and keepalives 0,
  // so only REPLY/STREAM packets may be matched against the pending table.
  private route(packet: Packet): void {
    if (packet.prog === Program.KEEPALIVE) {
      if (packet.proc === KeepaliveProc.PING) this.sendKeepalive(KeepaliveProc.PONG);
      return;
    }
    if (packet.type === PacketType.MESSAGE) {
      if (packet.prog === Program.REMOTE) this.options.onEvent(packet);
      return;
    }
    if (packet.type === PacketType.STREAM) {
      this.streams.get(packet.serial)?.onPacket(packet);
      return;
    }
    if (packet.type !== PacketType.REPLY && packet.type !== PacketType.REPLY_WITH_FDS) return;
    const call = this.pending.get(packet.serial);
    if (!call) return; // a late reply to a call that already timed out
    this.pending.delete(packet.serial);
    clearTimeout(call.timer);
    call.resolve(packet);
  }

  private fail(reason: Error): void {
    if (this.closedWith) return;
    this.closedWith = reason;
    clearInterval(this.keepaliveTimer);
    this.socket.destroy();
    const calls = [...this.pending.values()];
    this.pending.clear();
    for (const call of calls) {
      clearTimeout(call.timer);
      call.reject(reason);
    }
    const streams = [...this.streams.values()];
    this.streams.clear();
    for (const stream of streams) stream.onLost(reason);
    this.options.onClose(reason);
  }
}
