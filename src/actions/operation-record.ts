/** Reading operations (the audit records of mutations) for the operation actions. */
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import type { AuditRecord } from '../model/audit.ts';
import { operationView, type OperationView } from '../operations/view.ts';
import type { Action } from './types.ts';

/** The names of the registry's mutations: the actions whose records are operations. */
export function mutationNames(registry: ReadonlyMap<string, Action>): string[] {
  return [...registry.values()].filter((a) => a.kind === 'mutation').map((a) => a.name);
}

/** Operation `id`'s record; NOT_FOUND when there is none or it is not a mutation's. */
export function operationRecord(deps: Deps, registry: ReadonlyMap<string, Action>, id: number): AuditRecord {
  const record = deps.audit.get(id);
  if (!record || registry.get(record.action)?.kind !== 'mutation') {
    throw new AppError('NOT_FOUND', `no operation ${id}`, { fields: [{ field: 'id', message: 'no such operation' }] });
  }
  return record;
}

/** The view of `record`, with its live progress while it runs in this agent. */
export function viewOf(deps: Deps, record: AuditRecord): OperationView {
  return operationView(record, deps.operations.live(record.id) ?? null);
}
