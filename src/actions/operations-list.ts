/** The operations (mutations' audit records), newest first, filtered by status, domain and action. */
import * as v from 'valibot';
import type { AuditOutcome } from '../model/audit.ts';
import { PositiveInt } from './query-schemas.ts';
import { DomainName } from './schemas.ts';
import { mutationNames, viewOf } from './operation-record.ts';
import { defineAction } from './types.ts';

/** The statuses a caller may filter on; `running` includes those still pending. */
export const OPERATION_STATUSES = ['running', 'succeeded', 'failed', 'canceled', 'interrupted', 'rejected'] as const;
// Refused requests are operations that never ran: listed only when asked for.
const LISTED_BY_DEFAULT: AuditOutcome[] = ['pending', 'running', 'succeeded', 'failed', 'canceled', 'interrupted'];

const Input = v.strictObject({
  status: v.optional(v.picklist(OPERATION_STATUSES, `must be one of ${OPERATION_STATUSES.join(', ')}`)),
  domain: v.optional(DomainName),
  action: v.optional(v.pipe(v.string(), v.maxLength(64, 'must be at most 64 characters'))),
  limit: v.optional(PositiveInt(500), '50'),
  cursor: v.optional(PositiveInt(Number.MAX_SAFE_INTEGER)),
});

export default defineAction({
  name: 'operations-list',
  kind: 'read',
  role: 'viewer',
  summary: 'Operations (every mutation), newest first: status, progress, result; filters status, domain, action; a stable cursor',
  input: Input,
  async run(q, { deps, registry }) {
    const mutations = mutationNames(registry);
    const outcomes: readonly AuditOutcome[] = q.status === undefined ? LISTED_BY_DEFAULT : q.status === 'running' ? ['pending', 'running'] : [q.status];
    const page = deps.audit.query({
      actions: q.action === undefined ? mutations : mutations.filter((name) => name === q.action),
      outcomes,
      ...(q.domain !== undefined && { domain: q.domain }),
      ...(q.cursor !== undefined && { before: q.cursor }),
      limit: q.limit,
    });
    return { data: { operations: page.records.map((r) => viewOf(deps, r)), nextCursor: page.nextCursor } };
  },
});
