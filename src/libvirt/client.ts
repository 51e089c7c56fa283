/**
 * The libvirt RPC client's session: handshake, typed calls, reconnection with capped backoff,
 * event subscriptions that survive reconnects, and a connection state anyone can read.
 */
import { RpcConnection, type KeepaliveOptions } from './connection.ts';
import { AuthType, Feature } from './constants.ts';
import { LibvirtUnavailableError, UnsupportedUriError, decodeErrorReply } from './errors.ts';
import { decodeEvent, type DomainEvent } from './events.ts';
import { PacketStatus, Program, type Packet } from './packet.ts';
import { Proc, decodeReply, encodeArgs, type Procedure } from './procedures.ts';
import { LibvirtStream, type StreamOptions } from './stream.ts';
import { parseLibvirtUri, type Endpoint } from './uri.ts';

/** connected: calls go through; reconnecting: lost and retrying; closed: closed by us or never opened. */
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'closed';

/** Client settings; every field has a default. */
export interface ClientOptions {
  /** Per-call reply timeout (0 = none). */
  callTimeoutMs: number;
  connectTimeoutMs: number;
  keepalive: KeepaliveOptions | null;
  reconnect: boolean;
  backoffInitialMs: number;
  backoffMaxMs: number;
  /** Told about every finished call (procedure name, success, seconds), e.g. to feed a latency metric. */
  onCall: ((procedure: string, ok: boolean, seconds: number) => void) | null;
}

const DEFAULTS: ClientOptions = {
  callTimeoutMs: 30_000,
  connectTimeoutMs: 5_000,
  keepalive: { intervalMs: 5_000, count: 5 },
  reconnect: true,
  backoffInitialMs: 100,
  backoffMaxMs: 5_000,
  onCall: null,
};

/** Per-call settings. */
export interface CallOptions { timeoutMs?: number }

interface Subscription { eventId: number; handler: (e: DomainEvent) => void; callbackId: number | null }

/** A handle to cancel one event subscription. */
export interface EventSubscription { unsubscribe(): Promise<void> }

/** One logical connection to a libvirt daemon that survives daemon restarts. */
export class LibvirtClient {
  readonly endpoint: Endpoint;
  private readonly options: ClientOptions;
  private conn: RpcConnection | null = null;
  private currentState: ConnectionState = 'closed';
  private readonly subscriptions = new Set<Subscription>();
  private readonly stateListeners = new Set<(s: ConnectionState, reason?: Error) => void>();
  private retryTimer: NodeJS.Timeout | undefined;
  private attempt = 0;
  private features = new Map<number, boolean>();

  constructor(readonly uri: string, options: Partial<ClientOptions> = {}) {
    this.endpoint = parseLibvirtUri(uri);
    this.options = { ...DEFAULTS, ...options };
  }

  /** The connection state right now. */
  get state(): ConnectionState {
    return this.currentState;
  }

  /** Connects once; rejects if the daemon cannot be reached or refuses. Later losses reconnect. */
  async connect(): Promise<void> {
    if (this.currentState === 'connected') return;
    this.setState('connecting');
    try {
      await this.establish();
    } catch (err) {
      this.setState('closed', err as Error);
      throw err;
    }
  }

  /** Starts connecting in the background and keeps retrying until connected (for long-lived agents). */
  start(): void {
    if (this.currentState !== 'closed') return;
    this.setState('reconnecting');
    this.scheduleReconnect(0);
  }

  /** Resolves when connected; rejects after timeoutMs. */
  waitConnected(timeoutMs: number): Promise<void> {
    if (this.currentState === 'connected') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { off(); reject(new LibvirtUnavailableError(`not connected to ${this.uri} within ${timeoutMs} ms`)); }, timeoutMs);
      const off = this.onStateChange((s) => {
        if (s === 'connected') { clearTimeout(timer); off(); resolve(); }
      });
    });
  }

  /** Calls `listener` on every state change; returns a function that removes it. */
  onStateChange(listener: (s: ConnectionState, reason?: Error) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Whether the open daemon supports a feature (cached per connection). */
  async supports(feature: number): Promise<boolean> {
    const known = this.features.get(feature);
    if (known !== undefined) return known;
    const value = await this.call(Proc.CONNECT_SUPPORTS_FEATURE, feature);
    this.features.set(feature, value);
    return value;
  }

  /** Makes one typed call; rejects with LibvirtError for error replies and LibvirtUnavailableError when not connected. */
  async call<A, R>(proc: Procedure<A, R>, args: A, opts: CallOptions = {}): Promise<R> {
    const conn = this.conn;
    if (!conn || this.currentState !== 'connected') {
      throw new LibvirtUnavailableError(`libvirt is not connected (${this.currentState}): ${this.uri}`);
    }
    return this.callOn(conn, proc, args, opts.timeoutMs ?? this.options.callTimeoutMs);
  }

  /**
   * Makes a call that opens a stream (DOMAIN_OPEN_CONSOLE, DOMAIN_SCREENSHOT...) and returns the
   * stream with the call's decoded reply. The stream is failed if the connection drops; it is
   * never reopened (its owner decides).
   */
  async openStream<A, R>(proc: Procedure<A, R>, args: A, options: StreamOptions & CallOptions = {}): Promise<{ stream: LibvirtStream; reply: R }> {
    const conn = this.conn;
    if (!conn || this.currentState !== 'connected') {
      throw new LibvirtUnavailableError(`libvirt is not connected (${this.currentState}): ${this.uri}`);
    }
    let serial = 0;
    const stream = new LibvirtStream({
      send: (status, payload) => conn.sendStream(Program.REMOTE, proc.proc, serial, status, payload),
      writable: () => conn.writable(),
      forget: () => conn.forgetStream(serial),
    }, options);
    const opened = await conn.openStream(Program.REMOTE, proc.proc, encodeArgs(proc, args), options.timeoutMs ?? this.options.callTimeoutMs, {
      onPacket: (p) => stream.handlePacket(p),
      onLost: (reason) => stream.handleLost(reason),
    });
    serial = opened.serial;
    if (!stream.isOpen) conn.forgetStream(serial); // it ended before the reply was read
    if (opened.reply.status === PacketStatus.ERROR) throw decodeErrorReply(opened.reply);
    return { stream, reply: decodeReply(proc, opened.reply.payload) };
  }

  /** Subscribes to a domain event ID for all domains; re-registered after every reconnect. */
  async subscribe(eventId: number, handler: (e: DomainEvent) => void): Promise<EventSubscription> {
    const sub: Subscription = { eventId, handler, callbackId: null };
    sub.callbackId = await this.call(Proc.CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY, { eventId, dom: null });
    this.subscriptions.add(sub);
    return {
      unsubscribe: async () => {
        this.subscriptions.delete(sub);
        if (sub.callbackId !== null && this.currentState === 'connected') {
          await this.call(Proc.CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY, sub.callbackId);
        }
      },
    };
  }

  /** Closes the connection politely (CONNECT_CLOSE) and stops reconnecting. */
  async close(): Promise<void> {
    clearTimeout(this.retryTimer);
    const conn = this.conn;
    this.conn = null;
    this.setState('closed');
    if (!conn?.isOpen) return;
    try {
      await this.callOn(conn, Proc.CONNECT_CLOSE, undefined, 2_000);
    } catch {
      // The daemon may already be gone; closing is best effort.
    }
    conn.destroy(); // as libvirt's client does; the daemon would close it too
  }

  private async callOn<A, R>(conn: RpcConnection, proc: Procedure<A, R>, args: A, timeoutMs: number): Promise<R> {
    const onCall = this.options.onCall;
    if (!onCall) return this.exchange(conn, proc, args, timeoutMs);
    const started = performance.now();
    let ok = false;
    try {
      const result = await this.exchange(conn, proc, args, timeoutMs);
      ok = true;
      return result;
    } finally {
      onCall(proc.name, ok, (performance.now() - started) / 1000);
    }
  }

  private async exchange<A, R>(conn: RpcConnection, proc: Procedure<A, R>, args: A, timeoutMs: number): Promise<R> {
    const reply = await conn.call(Program.REMOTE, proc.proc, encodeArgs(proc, args), timeoutMs);
    if (reply.status === PacketStatus.ERROR) throw decodeErrorReply(reply);
    return decodeReply(proc, reply.payload);
  }

  private async establish(): Promise<void> {
    const conn = await RpcConnection.open(this.endpoint, {
      connectTimeoutMs: this.options.connectTimeoutMs,
      onEvent: (p) => this.dispatchEvent(conn, p),
      onClose: (reason) => this.onConnectionLost(conn, reason),
    });
    try {
      await this.handshake(conn);
    } catch (err) {
      conn.destroy();
      throw err;
    }
    this.conn = conn;
    this.features = new Map();
    this.attempt = 0;
    this.setState('connected');
    await this.resubscribe();
  }

  // doRemoteOpen's order: AUTH_LIST, then keepalive (allowed before OPEN), then OPEN with a URI
  // (a NULL name is rejected by the daemon).
  private async handshake(conn: RpcConnection): Promise<void> {
    const t = this.options.connectTimeoutMs;
    const auth = await this.callOn(conn, Proc.AUTH_LIST, undefined, t);
    if (!auth.includes(AuthType.NONE)) {
      if (!auth.includes(AuthType.POLKIT)) {
        throw new UnsupportedUriError(`libvirtd at ${this.uri} requires auth [${auth.join(', ')}]; only none and polkit are supported yet`);
      }
      await this.callOn(conn, Proc.AUTH_POLKIT, undefined, t);
    }
    // Keepalive is answered without an open connection, so it travels with OPEN: one round trip.
    const keepalive = this.options.keepalive;
    const [supported] = await Promise.all([
      keepalive ? this.callOn(conn, Proc.CONNECT_SUPPORTS_FEATURE, Feature.PROGRAM_KEEPALIVE, t) : false,
      this.callOn(conn, Proc.CONNECT_OPEN, { name: this.endpoint.remoteUri, flags: 0 }, t),
    ]);
    if (keepalive && supported) conn.startKeepalive(keepalive);
  }

  private async resubscribe(): Promise<void> {
    for (const sub of this.subscriptions) {
      sub.callbackId = null;
      try {
        sub.callbackId = await this.call(Proc.CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY, { eventId: sub.eventId, dom: null });
      } catch {
        // The connection dropped again; the next reconnect retries.
        return;
      }
    }
  }

  private dispatchEvent(conn: RpcConnection, packet: Packet): void {
    if (conn !== this.conn) return;
    const event = decodeEvent(packet);
    if (!event) return;
    for (const sub of this.subscriptions) {
      if (sub.callbackId === event.callbackId) sub.handler(event);
    }
  }

  private onConnectionLost(conn: RpcConnection, reason: Error): void {
    if (conn !== this.conn) return;
    this.conn = null;
    if (!this.options.reconnect || this.currentState === 'closed') {
      this.setState('closed', reason);
      return;
    }
    this.setState('reconnecting', reason);
    this.scheduleReconnect(this.backoffDelay());
  }

  private backoffDelay(): number {
    const base = Math.min(this.options.backoffMaxMs, this.options.backoffInitialMs * 2 ** this.attempt);
    this.attempt++;
    return Math.round(base / 2 + Math.random() * (base / 2));
  }

  private scheduleReconnect(delayMs: number): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      if (this.currentState !== 'reconnecting') return;
      this.establish().catch(() => {
        if (this.currentState === 'reconnecting') this.scheduleReconnect(this.backoffDelay());
      });
    }, delayMs);
    this.retryTimer.unref();
  }

  private setState(state: ConnectionState, reason?: Error): void {
    if (state === this.currentState) return;
    this.currentState = state;
    for (const listener of this.stateListeners) listener(state, reason);
  }
}
