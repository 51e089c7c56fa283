/**
 * Cancels a running operation (itself an audited action): a waiting shutdown stops waiting, a
 * migration's job is aborted (the guest stays on the source), a create undoes its steps. The caller
 * needs the role the operation's action needs. Answered once the operation ended, or after a short
 * wait with it still ending.
 */
import * as v from 'valibot';
import { roleAllows } from '../auth/tokens.ts';
import { AppError } from '../errors.ts';
import { operationRecord, viewOf } from './operation-record.ts';
import { defineAction } from './types.ts';

/** How long the cancel waits for the operation to end before it answers. */
export const CANCEL_ANSWER_WAIT_MS = 2000;

const Input = v.strictObject({
  id: v.pipe(v.string(), v.regex(/^\d{1,15}$/, 'must be an operation id'), v.transform(Number)),
});

export default defineAction({
  name: 'operation-cancel',
  kind: 'mutation',
  role: 'operator',
  summary: 'Cancel a running operation (shutdown wait, migration, create); answered once it ended, or still ending after 2 s',
  input: Input,
  async run(input, { deps, registry, caller }) {
    const record = operationRecord(deps, registry, input.id);
    const live = deps.operations.live(input.id);
    if (!live) throw new AppError('OPERATION_ENDED', `operation ${input.id} is not running (${record.outcome})`, { fields: [{ field: 'id', message: 'is not running' }] });
    const role = caller?.role ?? 'viewer';
    if (!roleAllows(role, live.role)) throw new AppError('FORBIDDEN', `role '${role}' may not cancel a '${record.action}'; '${live.role}' is required`);
    const verdict = deps.operations.cancel(input.id, caller?.name ?? 'anonymous');
    if (verdict === 'not-cancelable') throw new AppError('NOT_CANCELABLE', `a '${record.action}' cannot be canceled once it runs`, { fields: [{ field: 'id', message: 'is not cancelable' }] });
    const ended = await deps.operations.waitEnd(input.id, CANCEL_ANSWER_WAIT_MS);
    const view = viewOf(deps, operationRecord(deps, registry, input.id));
    return { data: view, audit: { operation: input.id, action: record.action, domain: record.domain, ended, status: view.status } };
  },
});
