/** A domain's state timeline, newest first: when it changed state, from what, to what, and why. */
import * as v from 'valibot';
import { MAX_TIMELINE_PAGE } from '../store/state-changes.ts';
import { PositiveInt, Time } from './query-schemas.ts';
import { DomainName } from './schemas.ts';
import { defineAction } from './types.ts';

export default defineAction({
  name: 'domain-timeline',
  kind: 'read',
  role: 'viewer',
  summary: "A domain's state changes, newest first, with their causes (an audited action, a libvirt event, or a snapshot)",
  input: v.strictObject({
    domain: DomainName,
    since: v.optional(Time),
    until: v.optional(Time),
    limit: v.optional(PositiveInt(MAX_TIMELINE_PAGE), '50'),
    cursor: v.optional(PositiveInt(Number.MAX_SAFE_INTEGER)),
  }),
  async run(q, { deps }) {
    const page = deps.inventory.changes.timeline({
      domain: q.domain,
      ...(q.since !== undefined && { since: q.since }),
      ...(q.until !== undefined && { until: q.until }),
      ...(q.cursor !== undefined && { before: q.cursor }),
      limit: q.limit,
    });
    return { data: page };
  },
});
