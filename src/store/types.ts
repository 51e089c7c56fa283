/**
 * What the rest of the agent needs from storage. Implemented over SQLite in audit.ts and
 * definitions.ts; tests may build their own.
 */

/** How an audited action ended. `pending` until it ends; `interrupted` if the agent died first. */
export type AuditOutcome = 'pending' | 'succeeded' | 'failed' | 'rejected' | 'interrupted';

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
  outcome: Exclude<AuditOutcome, 'pending' | 'interrupted'>;
  httpStatus: number;
  errorCode: string | null;
  errorMessage: string | null;
  libvirtCode: number | null;
  result: Record<string, unknown> | null;
}

/** One audit record as stored. */
export interface AuditRecord extends AuditStart {
  id: number;
  finishedAt: number | null;
  durationMs: number | null;
  outcome: AuditOutcome;
  httpStatus: number | null;
  errorCode: string | null;
  errorMessage: string | null;
  libvirtCode: number | null;
  result: Record<string, unknown> | null;
}

/** History filters; all optional. Times are epoch ms, inclusive. */
export interface AuditQuery {
  domain?: string;
  action?: string;
  outcome?: AuditOutcome;
  actor?: string;
  since?: number;
  until?: number;
  /** Return records older than this id (the previous page's nextCursor). */
  before?: number;
  limit: number;
}

/** One page of history, newest first. */
export interface AuditPage {
  records: AuditRecord[];
  nextCursor: number | null;
}

/** The audit log. */
export interface AuditStore {
  /** Writes a pending record when a request is received; returns its id. */
  begin(start: AuditStart): number;
  /** Writes a finished fixed-size record of a refused request; returns its id. */
  refuse(refusal: AuditRefusal): number;
  /** Keeps a whole document (define/create XML) beside record `id` under its params field, within the documents cap. */
  keepDocument(id: number, field: string, body: string): void;
  /** A document kept with a record (its params field, e.g. xml), or null. */
  document(id: number, field: string): string | null;
  /** Completes that same record. */
  finish(id: number, end: AuditEnd): void;
  /** Marks every record still pending as interrupted (at start, or at a shutdown deadline, with its own message); returns how many. */
  markInterrupted(at: number, message?: string): number;
  /** One record, or null. */
  get(id: number): AuditRecord | null;
  /** A page of records matching the filters, newest first. */
  query(q: AuditQuery): AuditPage;
  /** Deletes finished records received before `before` (epoch ms); returns how many. */
  prune(before: number): number;
}

/** The XML of domains the agent undefined, so `define` without XML can bring one back. */
export interface DefinitionStore {
  /** Remembers a domain's XML as it was just before the agent undefined it. */
  rememberUndefined(name: string, xml: string, auditId: number, at: number): void;
  /** The XML recorded at the domain's most recent undefine through the agent, or null. */
  lastUndefined(name: string): string | null;
  /** The XML that the undefine of audit record `auditId` removed, or null. */
  removedBy(auditId: number): string | null;
}
