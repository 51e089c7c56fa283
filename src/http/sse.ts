/**
 * Streams the event feed to one Server-Sent Events client: first what it missed since its
 * Last-Event-ID (or a `gap` notice when that is gone), then live events, one JSON object each, with
 * a comment line as keepalive when nothing happens. The stream ends when the client goes away, the
 * feed closes (shutdown), or the client falls more than a ring's worth behind.
 */
import type { SSEStreamingApi } from 'hono/streaming';
import type { EventFilter } from '../actions/events.ts';
import type { EventFeed, FeedEvent } from '../events/feed.ts';
import { toJson } from '../model/json.ts';

/** How often an idle stream sends a keepalive comment, so proxies do not close it. */
export const KEEPALIVE_MS = 15_000;

/** Whether a watcher with `filter` wants `e`. */
export function wanted(filter: EventFilter, e: FeedEvent): boolean {
  return filter.types.has(e.type) && (filter.domain === null || filter.domain === e.domain);
}

/** The JSON a client receives for one event. */
export function eventJson(e: FeedEvent): string {
  return toJson({ id: e.id, type: e.type, at: new Date(e.at).toISOString(), domain: e.domain, ...e.data });
}

/** Writes the feed to `stream` until the client leaves or the feed closes. */
export async function pumpEvents(stream: SSEStreamingApi, feed: EventFeed, filter: EventFilter, lastEventId: string | undefined, keepaliveMs = KEEPALIVE_MS): Promise<void> {
  const queue: FeedEvent[] = [];
  let wake = () => {};
  const offPublish = feed.subscribe((e) => {
    if (!wanted(filter, e)) return;
    queue.push(e);
    wake();
  });
  const offClose = feed.onClose(() => wake());
  stream.onAbort(() => wake());
  try {
    const { events, gap } = feed.since(lastEventId);
    if (gap) await stream.writeSSE({ data: toJson({ type: 'gap', message: 'some events since Last-Event-ID are no longer kept' }) });
    let last = 0;
    for (const e of events) if (wanted(filter, e)) last = await send(stream, e, last);
    while (!stream.aborted && !feed.closed && queue.length <= feed.capacity) {
      const next = queue.shift();
      if (next) {
        last = await send(stream, next, last);
      } else if (await idle(keepaliveMs, (w) => { wake = w; })) {
        await stream.write(': keepalive\n\n');
      }
    }
  } finally {
    offPublish();
    offClose();
  }
}

async function send(stream: SSEStreamingApi, e: FeedEvent, last: number): Promise<number> {
  if (e.seq <= last) return last; // replayed already
  await stream.writeSSE({ id: e.id, data: eventJson(e) });
  return e.seq;
}

/** Resolves true after `ms`, or false as soon as the waker it hands out is called. */
function idle(ms: number, setWaker: (wake: () => void) => void): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(true), ms);
    setWaker(() => {
      clearTimeout(timer);
      resolve(false);
    });
  });
}
