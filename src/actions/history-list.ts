/**
 * The audit log, newest first, filtered, with a cursor that stays stable as records arrive; or, with
 * `after`, the finished records in the order they finished, for collectors that pull it.
 */
import * as v from 'valibot';
import { PositiveInt, Time } from './query-schemas.ts';
import { DomainName } from './schemas.ts';
import { defineAction } from './types.ts';
import { AUDIT_OUTCOMES } from '../model/audit.ts';

/** History query parameters (as strings from the query string). */
export const HistoryQuery = v.strictObject({
  domain: v.optional(DomainName),
  action: v.optional(v.pipe(v.string(), v.maxLength(64))),
  outcome: v.optional(v.picklist(AUDIT_OUTCOMES, `must be one of ${AUDIT_OUTCOMES.join(', ')}`)),
  actor: v.optional(v.pipe(v.string(), v.maxLength(64))),
  since: v.optional(Time),
  until: v.optional(Time),
  limit: v.optional(PositiveInt(500), '50'),
  cursor: v.optional(PositiveInt(Number.MAX_SAFE_INTEGER)),
  /** Finished records after this `seq`, in the order they finished (0: from the first). */
  after: v.optional(v.pipe(v.string(), v.regex(/^\d{1,15}$/, 'must be a whole number (a seq, 0 for the first)'), v.transform(Number))),
});

/** The history query, with `after` and `cursor` (two ways to page) refused together. */
const HistoryInput = v.pipe(
  HistoryQuery,
  v.forward(v.check((q) => q.after === undefined || q.cursor === undefined, 'pages either newest first (cursor) or in finishing order (after), not both'), ['after']),
);

export default defineAction({
  name: 'history-list',
  kind: 'read',
  role: 'viewer',
  summary: 'The audit log, newest first, with filters and a stable cursor',
  input: HistoryInput,
  async run(q, { deps }) {
    const page = deps.audit.query({
      ...(q.domain !== undefined && { domain: q.domain }),
      ...(q.action !== undefined && { action: q.action }),
      ...(q.outcome !== undefined && { outcome: q.outcome }),
      ...(q.actor !== undefined && { actor: q.actor }),
      ...(q.since !== undefined && { since: q.since }),
      ...(q.until !== undefined && { until: q.until }),
      ...(q.cursor !== undefined && { before: q.cursor }),
      ...(q.after !== undefined && { after: q.after }),
      limit: q.limit,
    });
    return { data: page };
  },
});
