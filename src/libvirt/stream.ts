/**
 * One libvirt stream (virStream over RPC, checked against libvirtd 9.0.0's remote_daemon_stream.c).
 * After the REPLY to the call that opened it, STREAM packets carry that call's proc and serial:
 * CONTINUE with raw bytes is data (an empty one is also an end: go-libvirt saw libvirtd end a
 * download so), an empty OK is the end, ERROR carries a remote_error. We end ours by sending an
 * empty OK (finish) or an empty ERROR (abort); libvirtd confirms either with an empty OK, or
 * answers with an error.
 *
 * Flow control. Outbound: write() waits for the socket to drain, and libvirtd stops reading the
 * socket while its own per-client request queue is full, so a fast writer is held back. Inbound:
 * libvirtd sends a stream's next packet only when the previous one left its socket; the only
 * brake is TCP, and pausing the shared socket would stall every call (and, past the keepalive,
 * the connection). So data is handed to the owner at once and counted as queued until the owner
 * calls consumed(); past `maxQueuedBytes` the stream is aborted with StreamOverrunError rather
 * than letting a slow reader grow the agent's memory.
 */
import { LibvirtError, LibvirtUnavailableError, decodeErrorReply } from './errors.ts';
import { PacketStatus, type Packet } from './packet.ts';

/** The largest data payload per STREAM packet (VIR_NET_MESSAGE_LEGACY_PAYLOAD_MAX). */
export const STREAM_CHUNK_MAX = 262_120;

/** How a stream ended: its end of data, our finish or abort, libvirt's error, or the connection's loss. */
export type StreamEnd =
  | { kind: 'eof' }
  | { kind: 'finished' }
  | { kind: 'aborted' }
  | { kind: 'error'; error: LibvirtError }
  | { kind: 'lost'; error: Error };

/** Raised (as the end of a stream) when its reader fell too far behind. */
export class StreamOverrunError extends LibvirtError {
  override name = 'StreamOverrunError';
}

/** What a stream needs from its connection. */
export interface StreamTransport {
  send(status: number, payload?: Uint8Array): boolean;
  writable(): Promise<void>;
  forget(): void;
}

/** Stream settings. */
export interface StreamOptions {
  /** Data handed out but not yet consumed() beyond which the stream is aborted (default 4 MiB). */
  maxQueuedBytes?: number;
}

/** An open libvirt stream: data in through onData, out through write, and one end. */
export class LibvirtStream {
  readonly #transport: StreamTransport;
  readonly #maxQueued: number;
  readonly #dataListeners = new Set<(chunk: Buffer) => void>();
  #queued = 0;
  #ending: 'finish' | 'abort' | null = null;
  #end: StreamEnd | null = null;
  readonly #ended: Promise<StreamEnd>;
  #resolveEnd!: (end: StreamEnd) => void;
  /** Data that arrived before anyone listened (libvirtd may send right behind the reply). */
  #early: Buffer[] = [];

  constructor(transport: StreamTransport, options: StreamOptions = {}) {
    this.#transport = transport;
    this.#maxQueued = options.maxQueuedBytes ?? 4 * 1024 * 1024;
    this.#ended = new Promise((resolve) => { this.#resolveEnd = resolve; });
  }

  /** Resolves once, with how the stream ended. */
  get ended(): Promise<StreamEnd> {
    return this.#ended;
  }

  /** True until the stream has ended. */
  get isOpen(): boolean {
    return this.#end === null;
  }

  /** Bytes handed to listeners and not yet consumed(). */
  get queuedBytes(): number {
    return this.#queued;
  }

  /** Calls `listener` with each chunk of data (and first with what came before it, even after the end); returns its remover. */
  onData(listener: (chunk: Buffer) => void): () => void {
    this.#dataListeners.add(listener);
    const early = this.#early;
    this.#early = [];
    for (const chunk of early) listener(chunk);
    return () => this.#dataListeners.delete(listener);
  }

  /**
   * Every byte of a download stream (a screenshot) until its end; rejects with the stream's error,
   * or when it carries more than `maxBytes` (the stream is then aborted).
   */
  collect(maxBytes: number): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let size = 0;
    this.onData((chunk) => {
      size += chunk.length;
      this.consumed(chunk.length);
      if (size <= maxBytes) return void chunks.push(chunk);
      void this.abort().catch(() => {});
      this.#settle({ kind: 'error', error: new StreamOverrunError(1, 0, `the stream carried more than ${maxBytes} bytes`) });
    });
    return this.ended.then((end) => {
      if (end.kind === 'error' || end.kind === 'lost') throw end.error;
      return Buffer.concat(chunks);
    });
  }

  /** Tells the stream the owner is done with `bytes` of the data it was handed (see the header). */
  consumed(bytes: number): void {
    this.#queued = Math.max(0, this.#queued - bytes);
  }

  /** Sends data, in chunks libvirtd accepts, waiting whenever the socket's buffer is full. */
  async write(data: Uint8Array): Promise<void> {
    for (let at = 0; at < data.length; at += STREAM_CHUNK_MAX) {
      this.#assertWritable();
      const room = this.#transport.send(PacketStatus.CONTINUE, data.subarray(at, at + STREAM_CHUNK_MAX));
      if (!room) await this.#transport.writable();
    }
  }

  /** Ends our side cleanly and waits for libvirtd's confirmation (or its error). */
  finish(): Promise<StreamEnd> {
    return this.#close('finish', PacketStatus.OK);
  }

  /** Aborts the stream and waits for libvirtd's confirmation; also fine on an ended stream. */
  abort(): Promise<StreamEnd> {
    return this.#close('abort', PacketStatus.ERROR);
  }

  /** Routes one STREAM packet of this stream (called by the client). */
  handlePacket(packet: Packet): void {
    if (this.#end) return;
    if (packet.status === PacketStatus.ERROR) return this.#settle({ kind: 'error', error: decodeErrorReply(packet) });
    if (packet.status === PacketStatus.OK || packet.payload.length === 0) {
      return this.#settle(this.#ending === 'finish' ? { kind: 'finished' } : this.#ending === 'abort' ? { kind: 'aborted' } : { kind: 'eof' });
    }
    if (packet.status !== PacketStatus.CONTINUE) return;
    this.#deliver(packet.payload);
  }

  /** Fails the stream because its connection is gone (called by the client). */
  handleLost(reason: Error): void {
    this.#settle({ kind: 'lost', error: reason });
  }

  #deliver(chunk: Buffer): void {
    if (this.#ending) return; // data still in flight behind our finish or abort
    this.#queued += chunk.length;
    if (this.#queued > this.#maxQueued) {
      const error = new StreamOverrunError(1, 0, `stream reader fell behind: over ${this.#maxQueued} bytes not consumed`);
      void this.abort().catch(() => {});
      this.#settle({ kind: 'error', error });
      return;
    }
    if (this.#dataListeners.size === 0) this.#early.push(chunk);
    for (const listener of this.#dataListeners) listener(chunk);
  }

  async #close(how: 'finish' | 'abort', status: number): Promise<StreamEnd> {
    if (this.#end || this.#ending) return this.#ended;
    this.#ending = how;
    try {
      this.#transport.send(status);
    } catch (err) {
      this.#settle({ kind: 'lost', error: err as Error });
    }
    return this.#ended;
  }

  #assertWritable(): void {
    if (this.#end?.kind === 'lost') throw this.#end.error;
    if (this.#end?.kind === 'error') throw this.#end.error;
    if (this.#end || this.#ending) throw new LibvirtUnavailableError('the stream has ended');
  }

  #settle(end: StreamEnd): void {
    if (this.#end) return;
    this.#end = end;
    this.#dataListeners.clear(); // data that came before a listener is still handed to a late one

    this.#transport.forget();
    this.#resolveEnd(end);
  }
}
