/** Inventory snapshots, newest first, in a time range, with a stable cursor; domains when asked. */
import * as v from 'valibot';
import { MAX_SNAPSHOT_PAGE } from '../store/snapshots.ts';
import { Flag, PositiveInt, Time } from './query-schemas.ts';
import { defineAction } from './types.ts';

export default defineAction({
  name: 'snapshots-list',
  kind: 'read',
  role: 'viewer',
  summary: 'Inventory snapshots in a time range, newest first, with a stable cursor (domains=true: with their domains)',
  input: v.strictObject({
    since: v.optional(Time),
    until: v.optional(Time),
    limit: v.optional(PositiveInt(MAX_SNAPSHOT_PAGE), '50'),
    cursor: v.optional(PositiveInt(Number.MAX_SAFE_INTEGER)),
    domains: v.optional(Flag, 'false'),
  }),
  async run(q, { deps }) {
    const page = deps.inventory.snapshots.list({
      ...(q.since !== undefined && { since: q.since }),
      ...(q.until !== undefined && { until: q.until }),
      ...(q.cursor !== undefined && { before: q.cursor }),
      limit: q.limit,
      withDomains: q.domains,
    });
    return { data: page };
  },
});
