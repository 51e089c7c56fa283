/**
 * The base of the typed API: one LibvirtClient, held out of reach of callers, and the connection
 * facts they may need (state, its changes, feature support) offered here instead.
 */
import type { CallOptions, ConnectionState, LibvirtClient } from '../client.ts';
import type { Procedure } from '../procedures.ts';
import type { LibvirtStream, StreamOptions } from '../stream.ts';

/** A class constructor, for the API's parts (mixins over LibvirtBase). */
export type ApiConstructor<T = LibvirtBase> = abstract new (...args: any[]) => T;

/** The connection under the typed API. */
export class LibvirtBase {
  readonly #client: LibvirtClient;

  constructor(client: LibvirtClient) {
    this.#client = client;
  }

  /** The URI the client connects to. */
  get uri(): string {
    return this.#client.uri;
  }

  /** The connection state right now. */
  get state(): ConnectionState {
    return this.#client.state;
  }

  /** Connects once (rejects when the daemon cannot be reached). */
  connect(): Promise<void> {
    return this.#client.connect();
  }

  /** Connects in the background, reconnecting with backoff for ever. */
  keepConnected(): void {
    this.#client.start();
  }

  /** Resolves once connected, rejects after timeoutMs. */
  waitConnected(timeoutMs: number): Promise<void> {
    return this.#client.waitConnected(timeoutMs);
  }

  /** Calls `listener` on every connection state change; returns a function that removes it. */
  onStateChange(listener: (state: ConnectionState, reason?: Error) => void): () => void {
    return this.#client.onStateChange(listener);
  }

  /** Whether the open daemon supports a feature (Feature.*), cached per connection. */
  supports(feature: number): Promise<boolean> {
    return this.#client.supports(feature);
  }

  /** Closes the connection for good. */
  close(): Promise<void> {
    return this.#client.close();
  }

  /** One remote procedure call; for the API's parts only. */
  protected call<A, R>(proc: Procedure<A, R>, args: A, options?: CallOptions): Promise<R> {
    return this.#client.call(proc, args, options);
  }

  /** A call that opens a stream; for the API's parts only. */
  protected openStream<A, R>(proc: Procedure<A, R>, args: A, options?: StreamOptions & CallOptions): Promise<{ stream: LibvirtStream; reply: R }> {
    return this.#client.openStream(proc, args, options);
  }

  /** Subscribes to one event id of every domain; for the API's parts only. */
  protected subscribe(...args: Parameters<LibvirtClient['subscribe']>): ReturnType<LibvirtClient['subscribe']> {
    return this.#client.subscribe(...args);
  }
}
