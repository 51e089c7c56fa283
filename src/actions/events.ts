/**
 * GET /v1/events: checks who may watch and what they filter on; the HTTP layer then streams the
 * feed (src/http/sse.ts). `type` is a comma-separated list of lifecycle, reboot and audit.
 */
import * as v from 'valibot';
import { FEED_TYPES, type FeedType } from '../events/feed.ts';
import { DomainName } from './schemas.ts';
import { defineAction } from './types.ts';

/** Which events a watcher wants. */
export interface EventFilter {
  domain: string | null;
  types: ReadonlySet<FeedType>;
}

const TypeList = v.pipe(
  v.string(),
  v.transform((s) => s.split(',').map((t) => t.trim()).filter((t) => t !== '')),
  v.check((list) => list.every((t) => (FEED_TYPES as readonly string[]).includes(t)), `must be a comma-separated list of ${FEED_TYPES.join(', ')}`),
);

export default defineAction({
  name: 'events',
  kind: 'read',
  role: 'viewer',
  summary: 'Server-Sent Events: domain lifecycle events and audit records as they end; resumable with Last-Event-ID',
  input: v.strictObject({ domain: v.optional(DomainName), type: v.optional(TypeList) }),
  async run(input) {
    const types = new Set((input.type?.length ? input.type : FEED_TYPES) as FeedType[]);
    const data: EventFilter = { domain: input.domain ?? null, types };
    return { data };
  },
});
