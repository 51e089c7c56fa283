/**
 * What the rest of the agent needs from storage. Implemented over SQLite in audit.ts and
 * definitions.ts; tests may build their own.
 */
import type { AuditEnd, AuditPage, AuditQuery, AuditRecord, AuditRefusal, AuditStart } from '../model/audit.ts';

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
  /** Marks a pending record running: its operation began at `at`. */
  markRunning(id: number, at: number): void;
  /** Keeps a running operation's latest progress. */
  saveProgress(id: number, progress: Record<string, unknown>): void;
  /** Completes that same record. */
  finish(id: number, end: AuditEnd): void;
  /** Marks every record still pending or running as interrupted (at start, or at a shutdown deadline, with its own message); returns how many. */
  markInterrupted(at: number, message?: string): number;
  /** One record, or null. */
  get(id: number): AuditRecord | null;
  /** A page of records matching the filters, newest first (with `after`: in the order they finished). */
  query(q: AuditQuery): AuditPage;
  /** The `seq` of the newest finished record (0 before any). */
  lastSeq(): number;
  /** How far exporter `name` got (a seq), or null before its first run. */
  exportCursor(name: string): number | null;
  /** Records how far exporter `name` got. */
  saveExportCursor(name: string, after: number): void;
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
