/** A migration job's progress, from DOMAIN_GET_JOB_STATS typed parameters, in plain numbers. */
import { JOB_TYPES } from '../libvirt/index.ts';

/** virDomainJobOperation names, indexed by code. */
export const JOB_OPERATIONS = ['unknown', 'start', 'save', 'restore', 'migration-in', 'migration-out', 'snapshot',
  'snapshot-revert', 'dump', 'backup', 'snapshot-delete'] as const;

/** Progress of one job (bytes and milliseconds; absent figures are left out). */
export interface JobProgress {
  type: string;
  operation: string | null;
  timeElapsedMs?: number;
  dataTotal?: number;
  dataProcessed?: number;
  dataRemaining?: number;
  memoryTotal?: number;
  memoryProcessed?: number;
  memoryRemaining?: number;
  memoryBps?: number;
  memoryIteration?: number;
  diskTotal?: number;
  diskProcessed?: number;
  diskRemaining?: number;
  downtimeMs?: number;
  errorMessage?: string;
}

const FIELDS: Array<[keyof JobProgress, string]> = [
  ['timeElapsedMs', 'time_elapsed'], ['dataTotal', 'data_total'], ['dataProcessed', 'data_processed'],
  ['dataRemaining', 'data_remaining'], ['memoryTotal', 'memory_total'], ['memoryProcessed', 'memory_processed'],
  ['memoryRemaining', 'memory_remaining'], ['memoryBps', 'memory_bps'], ['memoryIteration', 'memory_iteration'],
  ['diskTotal', 'disk_total'], ['diskProcessed', 'disk_processed'], ['diskRemaining', 'disk_remaining'], ['downtimeMs', 'downtime'],
];

/** Turns a job stats reply into JobProgress; null when no job runs (type 0). */
export function jobProgress(type: number, stats: Record<string, number | bigint | boolean | string>): JobProgress | null {
  if (type === 0) return null;
  const op = stats.operation;
  const out: JobProgress = { type: JOB_TYPES[type] ?? `type-${type}`, operation: typeof op === 'number' ? JOB_OPERATIONS[op] ?? `op-${op}` : null };
  for (const [key, field] of FIELDS) {
    const value = stats[field];
    if (typeof value === 'number' || typeof value === 'bigint') (out as unknown as Record<string, number>)[key] = Number(value);
  }
  if (typeof stats.errmsg === 'string') out.errorMessage = stats.errmsg;
  return out;
}

/** A migration's progress as its operation reports it: the phase, a percentage and the figures. */
export function operationProgress(p: JobProgress): Record<string, unknown> {
  const phase = (p.diskRemaining ?? 0) > 0 ? 'disk' : (p.memoryIteration ?? 0) > 1 ? 'converging' : 'memory';
  const percent = p.dataTotal ? Math.min(100, Math.round(((p.dataProcessed ?? 0) / p.dataTotal) * 100)) : undefined;
  return {
    phase, percent, dataProcessed: p.dataProcessed, dataRemaining: p.dataRemaining, dataTotal: p.dataTotal,
    memoryBps: p.memoryBps, memoryIteration: p.memoryIteration, diskProcessed: p.diskProcessed, diskTotal: p.diskTotal,
    downtimeMs: p.downtimeMs, timeElapsedMs: p.timeElapsedMs,
  };
}
