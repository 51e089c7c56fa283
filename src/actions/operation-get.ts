/** One operation; with `wait`, answered once it ends or the wait passes (a long poll). */
import * as v from 'valibot';
import { operationRecord, viewOf } from './operation-record.ts';
import { defineAction } from './types.ts';

/** The longest long poll. */
export const MAX_OPERATION_WAIT_SECONDS = 600;

const Input = v.strictObject({
  id: v.pipe(v.string(), v.regex(/^\d{1,15}$/, 'must be an operation id'), v.transform(Number)),
  wait: v.optional(v.pipe(v.string(), v.regex(/^\d{1,6}(\.\d{1,3})?$/, 'must be a number of seconds'), v.transform(Number), v.maxValue(MAX_OPERATION_WAIT_SECONDS, `must be at most ${MAX_OPERATION_WAIT_SECONDS}`))),
});

export default defineAction({
  name: 'operation-get',
  kind: 'read',
  role: 'viewer',
  summary: 'One operation: status, progress, result; with wait=SECONDS (at most 600), answered once it ends or the wait passes',
  input: Input,
  async run(input, { deps, registry }) {
    operationRecord(deps, registry, input.id);
    const waitMs = (input.wait ?? 0) * 1000;
    if (waitMs > 0) await deps.operations.waitEnd(input.id, waitMs);
    return { data: viewOf(deps, operationRecord(deps, registry, input.id)) };
  },
});
