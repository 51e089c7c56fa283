/**
 * The audit log's records, and who a request's caller is: the shapes the dispatcher writes, the
 * store keeps, and the HTTP API and the dashboard show.
 */
import type { Role } from '../auth/tokens.ts';

/** Who is calling: a token's name and role, or anonymous (no tokens configured). */
export interface Caller {
  name: string;
  role: Role;
}

/**
 * Where an audited action is: `pending` when received, `running` once validated and holding its
 * domain (an operation), then how it ended; `canceled` by a caller or the action time limit,
 * `interrupted` if the agent stopped first.
 */
export type AuditOutcome = 'pending' | 'running' | 'succeeded' | 'failed' | 'rejected' | 'canceled' | 'interrupted';

/** Every AuditOutcome, in lifecycle order. */
export const AUDIT_OUTCOMES: readonly AuditOutcome[] = ['pending', 'running', 'succeeded', 'failed', 'rejected', 'canceled', 'interrupted'];

/** The outcomes of a record that has not ended. */
export const UNFINISHED_OUTCOMES: readonly AuditOutcome[] = ['pending', 'running'];

/** Which protocol a request came in on. */
export type AuditProtocol = 'seed' | 'rest';

/** What is known when a request is received. */
export interface AuditStart {
  requestId: string;
  receivedAt: number; // epoch ms
  actor: string; // token name or 'anonymous'
  remoteAddr: string | null;
  userAgent: string | null;
  protocol: AuditProtocol;
  action: string;
  domain: string | null;
  target: string | null;
  params: Record<string, unknown>; // never tokens or secrets; stored bounded (see bound.ts)
}

/**
 * A request refused before its caller was known or allowed (no valid token, a role too low): kept
 * as a fixed-size record with no body and no params, only where it went.
 */
export interface AuditRefusal {
  requestId: string;
  receivedAt: number;
  actor: string;
  remoteAddr: string | null;
  protocol: AuditProtocol;
  action: string;
  domain: string | null;
  method: string;
  path: string;
  httpStatus: number;
  errorCode: string;
  errorMessage: string;
}

/** What is known when it ends. */
export interface AuditEnd {
  finishedAt: number; // epoch ms
  outcome: Exclude<AuditOutcome, 'pending' | 'running' | 'interrupted'>;
  httpStatus: number;
  errorCode: string | null;
  errorMessage: string | null;
  libvirtCode: number | null;
  result: Record<string, unknown> | null;
  /** The last progress the operation reported, if any. */
  progress?: Record<string, unknown> | null;
  /** When its operation began to run (kept unless the record already has it). */
  startedAt?: number | null;
}

/** One audit record as stored. */
export interface AuditRecord extends AuditStart {
  id: number;
  /** When it began to run (validated, its domain held); null until then, and for refusals. */
  startedAt: number | null;
  finishedAt: number | null;
  durationMs: number | null;
  outcome: AuditOutcome;
  httpStatus: number | null;
  errorCode: string | null;
  errorMessage: string | null;
  libvirtCode: number | null;
  result: Record<string, unknown> | null;
  /** The operation's last reported progress (null when it reported none). */
  progress: Record<string, unknown> | null;
  /** Its place in the order records finished (null while it runs): `?after=` pages by it. */
  seq: number | null;
}

/** History filters; all optional. Times are epoch ms, inclusive. */
export interface AuditQuery {
  domain?: string;
  action?: string;
  outcome?: AuditOutcome;
  /** Any of these outcomes (operations' status filter). */
  outcomes?: readonly AuditOutcome[];
  /** Any of these actions (the operations list: the mutations). */
  actions?: readonly string[];
  actor?: string;
  since?: number;
  until?: number;
  /** Return records older than this id (the previous page's nextCursor). */
  before?: number;
  /** Instead: finished records whose `seq` is above this, in the order they finished (incremental pulls). */
  after?: number;
  limit: number;
}

/** One page of history, newest first. */
export interface AuditPage {
  records: AuditRecord[];
  nextCursor: number | null;
  /** With `after`: the `seq` to ask after next (the last record's, or `after` again when none came). */
  nextAfter?: number;
}

/** An audit record the dispatcher just completed, and whether it was a read or a mutation. */
export interface FinishedAudit {
  record: AuditRecord;
  family: 'read' | 'mutation';
}
