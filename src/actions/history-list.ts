/** The audit log, newest first, filtered, with a cursor that stays stable as records arrive. */
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
});

export default defineAction({
  name: 'history-list',
  kind: 'read',
  role: 'viewer',
  summary: 'The audit log, newest first, with filters and a stable cursor',
  input: HistoryQuery,
  async run(q, { deps }) {
    const page = deps.audit.query({
      ...(q.domain !== undefined && { domain: q.domain }),
      ...(q.action !== undefined && { action: q.action }),
      ...(q.outcome !== undefined && { outcome: q.outcome }),
      ...(q.actor !== undefined && { actor: q.actor }),
      ...(q.since !== undefined && { since: q.since }),
      ...(q.until !== undefined && { until: q.until }),
      ...(q.cursor !== undefined && { before: q.cursor }),
      limit: q.limit,
    });
    return { data: page };
  },
});
