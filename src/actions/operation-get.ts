/**
 * One operation; with `wait`, answered once it ends or the wait passes (a long poll, bounded to
 * end just before the request timeout: poll again while it runs).
 */
import * as v from 'valibot';
import { operationRecord, viewOf } from './operation-record.ts';
import { defineAction } from './types.ts';

const Input = v.strictObject({
  id: v.pipe(v.string(), v.regex(/^\d{1,15}$/, 'must be an operation id'), v.transform(Number)),
  wait: v.optional(v.pipe(v.string(), v.regex(/^\d{1,6}(\.\d{1,3})?$/, 'must be a number of seconds'), v.transform(Number), v.maxValue(3600, 'must be at most 3600'))),
});

/** How long before the request timeout a long poll answers. */
const ANSWER_MARGIN_MS = 1000;

export default defineAction({
  name: 'operation-get',
  kind: 'read',
  role: 'viewer',
  summary: 'One operation: status, progress, result; with wait=SECONDS, answered once it ends (or the wait, bounded by the request timeout, passes)',
  input: Input,
  async run(input, { deps, registry }) {
    operationRecord(deps, registry, input.id);
    const waitMs = Math.min((input.wait ?? 0) * 1000, deps.settings.requestTimeoutMs - ANSWER_MARGIN_MS);
    if (waitMs > 0) await deps.operations.waitEnd(input.id, waitMs);
    return { data: viewOf(deps, operationRecord(deps, registry, input.id)) };
  },
});
