/**
 * An operation as callers see it (GET /v1/operations/{id}, the 202 of an asynchronous request,
 * the `operation` events): its audit record's state, with the live progress of a running one.
 */
import type { AuditOutcome, AuditRecord } from '../model/audit.ts';

/** The JSON of one operation. */
export interface OperationView {
  id: number;
  action: string;
  domain: string | null;
  target: string | null;
  status: AuditOutcome;
  actor: string;
  protocol: string;
  requestId: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  progress: Record<string, unknown> | null;
  cancelable: boolean;
  result: Record<string, unknown> | null;
  error: { code: string; message: string | null } | null;
  location: string;
}

/** What a running operation adds to its record. */
export interface LiveFacts {
  progress: Record<string, unknown> | null;
  cancelable: boolean;
  startedAt: number;
}

/** Where an operation is read: the Location of a 202. */
export function operationLocation(id: number): string {
  return `/v1/operations/${id}`;
}

/** The view of record `r`; `live` when it is running in this process. */
export function operationView(r: AuditRecord, live: LiveFacts | null): OperationView {
  const running = live !== null && (r.outcome === 'pending' || r.outcome === 'running');
  return {
    id: r.id,
    action: r.action,
    domain: r.domain,
    target: r.target,
    status: running ? 'running' : r.outcome,
    actor: r.actor,
    protocol: r.protocol,
    requestId: r.requestId,
    createdAt: iso(r.receivedAt),
    startedAt: r.startedAt !== null ? iso(r.startedAt) : running ? iso(live.startedAt) : null,
    finishedAt: r.finishedAt === null ? null : iso(r.finishedAt),
    durationMs: r.durationMs,
    progress: (running ? live.progress : null) ?? r.progress,
    cancelable: running && live.cancelable,
    result: r.result,
    error: r.errorCode === null ? null : { code: r.errorCode, message: r.errorMessage },
    location: operationLocation(r.id),
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
