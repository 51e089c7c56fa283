/**
 * A wire-level fake libvirtd on a real UNIX socket, for fault tests only: it speaks the framing
 * and the handshake, and lets a test script replies, delays, garbage and disconnects.
 */
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { PacketDecoder, PacketStatus, PacketType, Program, PROTOCOL_VERSION, encodePacket, type Packet } from '../../src/libvirt/packet.ts';
import { XdrWriter } from '../../src/libvirt/xdr.ts';
import { writeRemoteError } from '../../src/libvirt/types.ts';

/** What a handler decides for one call: a reply payload, an error, or nothing (never answer). */
export type FakeAnswer =
  | { ok: Buffer }
  | { error: { code: number; domain: number; message: string } }
  | { silent: true };

/** A scripted handler for one procedure; may be async to delay its answer. */
export type FakeHandler = (call: Packet, peer: FakePeer) => FakeAnswer | Promise<FakeAnswer>;

/** One client connection as the fake sees it. */
export interface FakePeer {
  socket: net.Socket;
  calls: Packet[];
  /** STREAM packets the client sent. */
  streams: Packet[];
  pongs: number;
  pings: number;
  send(bytes: Buffer): void;
}

const empty = (): FakeAnswer => ({ ok: Buffer.alloc(0) });
const int = (v: number): FakeAnswer => ({ ok: new XdrWriter().int(v).toBuffer() });

/** A fake daemon; `handlers` override the defaults by procedure number. */
export class FakeLibvirtd {
  readonly socketPath: string;
  readonly peers: FakePeer[] = [];
  readonly handlers = new Map<number, FakeHandler>();
  /** Told each STREAM packet a client sends (by default nothing answers them). */
  onStream: ((packet: Packet, peer: FakePeer) => void) | null = null;
  /** When false, keepalive PINGs from clients are not answered. */
  answerPings = true;
  private readonly server: net.Server;
  private nextCallbackId = 0;

  constructor() {
    this.socketPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gvh-fake-')), 'libvirt-sock');
    this.server = net.createServer((s) => this.accept(s));
    this.handlers.set(66, () => ({ ok: new XdrWriter().uint(1).int(0).toBuffer() })); // AUTH_LIST → [NONE]
    this.handlers.set(60, () => int(1)); // SUPPORTS_FEATURE → yes
    this.handlers.set(1, empty); // CONNECT_OPEN
    this.handlers.set(316, () => int(this.nextCallbackId++)); // event callback register
    this.handlers.set(317, empty);
    this.handlers.set(2, (_c, peer) => { setImmediate(() => peer.socket.end()); return empty(); }); // CONNECT_CLOSE
  }

  /** The URI a client uses to reach this fake. */
  get uri(): string {
    return `test+unix:///default?socket=${this.socketPath}`;
  }

  /** Starts listening. */
  listen(): Promise<void> {
    return new Promise((resolve) => this.server.listen(this.socketPath, resolve));
  }

  /** Resolves when `n` clients have connected. */
  async waitForPeers(n: number, timeoutMs = 5_000): Promise<FakePeer> {
    const until = Date.now() + timeoutMs;
    while (this.peers.length < n) {
      if (Date.now() > until) throw new Error(`only ${this.peers.length} of ${n} peers connected`);
      await new Promise((r) => setTimeout(r, 5));
    }
    return this.peers[n - 1]!;
  }

  /** The latest connected peer. */
  get last(): FakePeer {
    const peer = this.peers.at(-1);
    if (!peer) throw new Error('no peer connected');
    return peer;
  }

  /** Sends a MESSAGE (event) packet to a peer; libvirtd uses serial 1 for events. */
  sendEvent(peer: FakePeer, proc: number, payload: Buffer): void {
    peer.send(encodePacket({ prog: Program.REMOTE, vers: PROTOCOL_VERSION, proc, type: PacketType.MESSAGE, serial: 1, status: PacketStatus.OK }, payload));
  }

  /** Sends a STREAM packet of the stream opened by `call`. */
  sendStream(peer: FakePeer, call: Pick<Packet, 'proc' | 'serial'>, status: number, payload: Buffer = Buffer.alloc(0)): void {
    peer.send(encodePacket({ prog: Program.REMOTE, vers: PROTOCOL_VERSION, proc: call.proc, type: PacketType.STREAM, serial: call.serial, status }, payload));
  }

  /** Drops every client connection. */
  dropAll(): void {
    for (const p of this.peers) p.socket.destroy();
  }

  /** Stops listening and drops every client. */
  async close(): Promise<void> {
    this.dropAll();
    await new Promise((r) => this.server.close(r));
    fs.rmSync(path.dirname(this.socketPath), { recursive: true, force: true });
  }

  private accept(socket: net.Socket): void {
    const decoder = new PacketDecoder();
    const peer: FakePeer = { socket, calls: [], streams: [], pongs: 0, pings: 0, send: (b) => { if (!socket.destroyed) socket.write(b); } };
    this.peers.push(peer);
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      let packets: Packet[];
      try {
        packets = decoder.push(chunk);
      } catch {
        socket.destroy();
        return;
      }
      for (const p of packets) void this.onPacket(p, peer);
    });
  }

  private async onPacket(p: Packet, peer: FakePeer): Promise<void> {
    if (p.prog === Program.KEEPALIVE) {
      if (p.proc === 1) {
        peer.pings++;
        if (this.answerPings) peer.send(encodePacket({ ...p, proc: 2 }));
      } else if (p.proc === 2) {
        peer.pongs++;
      }
      return;
    }
    if (p.type === PacketType.STREAM) {
      peer.streams.push(p);
      this.onStream?.(p, peer);
      return;
    }
    peer.calls.push(p);
    const handler = this.handlers.get(p.proc);
    const answer = handler ? await handler(p, peer) : { error: { code: 39, domain: 7, message: `unknown procedure: ${p.proc}` } };
    if ('silent' in answer) return;
    const header = { prog: p.prog, vers: p.vers, proc: p.proc, type: PacketType.REPLY, serial: p.serial };
    if ('ok' in answer) {
      peer.send(encodePacket({ ...header, status: PacketStatus.OK }, answer.ok));
      return;
    }
    const w = new XdrWriter();
    writeRemoteError(w, { ...answer.error, level: 2, str1: answer.error.message, str2: null, str3: null, int1: -1, int2: -1 });
    peer.send(encodePacket({ ...header, status: PacketStatus.ERROR }, w.toBuffer()));
  }
}

/** Encodes a string reply payload. */
export function stringReply(s: string): FakeAnswer {
  return { ok: new XdrWriter().string(s).toBuffer() };
}

