/**
 * The live event feed behind GET /v1/events: domain events, finished audit records and operations'
 * progress and ends, each with
 * an id, kept in a bounded in-memory ring so a client that reconnects with Last-Event-ID gets what
 * it missed. Ids are `<boot>-<seq>`: an id from an earlier run of the agent, or one the ring has
 * already dropped, is reported as a gap rather than silently skipped.
 */
import { Listeners } from './listeners.ts';

/** What the feed carries. */
export const FEED_TYPES = ['lifecycle', 'reboot', 'audit', 'operation'] as const;
/** One of FEED_TYPES. */
export type FeedType = (typeof FEED_TYPES)[number];

/** One event in the feed. */
export interface FeedEvent {
  id: string;
  seq: number;
  type: FeedType;
  /** The domain it concerns, when it concerns one. */
  domain: string | null;
  /** When it happened (epoch ms). */
  at: number;
  data: Record<string, unknown>;
}

/** The ring's default size: at one event a second, a quarter of an hour of history. */
export const DEFAULT_FEED_CAPACITY = 1024;

/** A bounded, resumable fan-out of events to any number of subscribers. */
export class EventFeed {
  readonly #ring: FeedEvent[] = [];
  readonly #published = new Listeners<FeedEvent>();
  readonly #closed = new Listeners<void>();
  #seq = 0;
  #isClosed = false;

  constructor(readonly capacity = DEFAULT_FEED_CAPACITY, readonly boot = Date.now().toString(36)) {}

  /** Whether close() was called. */
  get closed(): boolean {
    return this.#isClosed;
  }

  /** Adds an event and hands it to every subscriber. */
  publish(type: FeedType, domain: string | null, at: number, data: Record<string, unknown>): FeedEvent {
    const seq = ++this.#seq;
    const event: FeedEvent = { id: `${this.boot}-${seq}`, seq, type, domain, at, data };
    this.#ring.push(event);
    if (this.#ring.length > this.capacity) this.#ring.shift();
    this.#published.emit(event);
    return event;
  }

  /** Calls `listener` with every new event; returns the function that stops it. */
  subscribe(listener: (e: FeedEvent) => void): () => void {
    return this.#published.add(listener);
  }

  /** Calls `listener` once the feed closes (the agent shuts down); returns the function that removes it. */
  onClose(listener: () => void): () => void {
    return this.#closed.add(listener);
  }

  /**
   * The events after `lastEventId` still in the ring. `gap` is true when events after it are lost
   * (the ring dropped them, or the id is not from this run of the agent); no id: none, no gap.
   */
  since(lastEventId: string | undefined): { events: FeedEvent[]; gap: boolean } {
    if (lastEventId === undefined) return { events: [], gap: false };
    const m = /^([0-9a-z]+)-(\d{1,15})$/.exec(lastEventId);
    const seq = m && m[1] === this.boot ? Number(m[2]) : null;
    if (seq === null || seq > this.#seq) return { events: [...this.#ring], gap: true };
    const oldest = this.#ring[0]?.seq ?? this.#seq + 1;
    return { events: this.#ring.filter((e) => e.seq > seq), gap: seq < oldest - 1 };
  }

  /** Ends every subscriber's stream (at shutdown). */
  close(): void {
    this.#isClosed = true;
    this.#closed.emit();
  }
}
