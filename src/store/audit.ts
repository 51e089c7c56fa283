/**
 * The audit log over SQLite: a pending row when a request arrives, completed when it ends, marked
 * interrupted at the next start if the agent died in between. History pages newest first by id.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { MAX_MESSAGE_CHARS, boundParams, boundResult, truncateText, xmlDigest } from './bound.ts';
import type { Database } from './db.ts';
import { StatementCache, joinSql, sql, type SqlFragment, type SqlValue } from './sql.ts';
import type { AuditStore } from './types.ts';
import type { AuditEnd, AuditOutcome, AuditPage, AuditProtocol, AuditQuery, AuditRecord, AuditRefusal, AuditStart } from '../model/audit.ts';

/** The fewest records a history page holds; smaller requested limits are raised to it. */
export const MIN_PAGE_SIZE = 1;
/** The most records a history page holds; larger requested limits are lowered to it. */
export const MAX_PAGE_SIZE = 500;
/** A history page stops adding records once its records' stored JSON passes this many bytes. */
export const MAX_PAGE_BYTES = 1024 * 1024;
/** The default cap on the total size of kept documents (define/create XML). */
export const DEFAULT_DOCUMENTS_CAP_BYTES = 64 * 1024 * 1024;
/** Bounds of the short text columns, in characters. */
const TEXT_BOUNDS = { requestId: 128, actor: 64, remoteAddr: 64, userAgent: 256, action: 64, domain: 256, target: 256, path: 128, refusedDomain: 64 } as const;
/** error_code of a record the agent never finished. */
export const INTERRUPTED_ERROR_CODE = 'INTERRUPTED';
/** error_message of a record the agent never finished. */
export const INTERRUPTED_ERROR_MESSAGE = 'the agent stopped before the action ended';

/** One audit row as SQLite returns it. */
interface AuditRow {
  id: number;
  request_id: string;
  received_at: number;
  finished_at: number | null;
  duration_ms: number | null;
  actor: string;
  remote_addr: string | null;
  user_agent: string | null;
  protocol: string;
  action: string;
  domain: string | null;
  target: string | null;
  params: string;
  http_status: number | null;
  outcome: string;
  error_code: string | null;
  error_message: string | null;
  libvirt_code: number | null;
  result: string | null;
  started_at: number | null;
  progress: string | null;
  finished_seq: number | null;
}

type Statement<Params extends unknown[] | object, Row = unknown> = BetterSqlite3.Statement<
  Params extends unknown[] ? Params : [Params],
  Row
>;

/** AuditStore over the `audit` table (migrations/0001_audit.sql). */
export class SqliteAuditStore implements AuditStore {
  readonly #insertPending: Statement<Record<string, SqlValue>>;
  readonly #finishPending: Statement<Record<string, SqlValue>>;
  readonly #interruptPending: Statement<Record<string, SqlValue>>;
  readonly #markRunning: Statement<[number, number]>;
  readonly #saveProgress: Statement<[string, number]>;
  readonly #selectById: Statement<[number], AuditRow>;
  readonly #pruneFinished: Statement<[number]>;
  readonly #lastSeq: Statement<[], number>;
  readonly #exportCursor: Statement<[string], number>;
  readonly #saveExportCursor: Statement<[string, number]>;
  readonly #insertRefusal: Statement<Record<string, SqlValue>>;
  readonly #insertDocument: Statement<Record<string, SqlValue>>;
  readonly #selectDocument: Statement<[number, string], string>;
  readonly #documentsTotal: Statement<[], number>;
  readonly #deleteOldestDocument: Statement<[]>;
  readonly #documentsCapBytes: number;
  readonly #db: Database;
  /** History statements by SQL text; the text holds only fixed fragments, so there are few. */
  readonly #historyStatements: StatementCache<AuditRow>;

  constructor(db: Database, options: { documentsCapBytes?: number } = {}) {
    this.#db = db;
    this.#documentsCapBytes = options.documentsCapBytes ?? DEFAULT_DOCUMENTS_CAP_BYTES;
    this.#historyStatements = new StatementCache(db);
    this.#insertRefusal = db.prepare(`
      INSERT INTO audit (request_id, received_at, finished_at, duration_ms, actor, remote_addr, protocol, action,
                         domain, params, outcome, http_status, error_code, error_message)
      VALUES (@requestId, @receivedAt, @receivedAt, 0, @actor, @remoteAddr, @protocol, @action,
              @domain, @params, 'rejected', @httpStatus, @errorCode, @errorMessage)`);
    this.#insertDocument = db.prepare(`
      INSERT INTO audit_documents (audit_id, field, sha256, bytes, body) VALUES (@auditId, @field, @sha256, @bytes, @body)`);
    this.#selectDocument = db.prepare<[number, string], string>('SELECT body FROM audit_documents WHERE audit_id = ? AND field = ?').pluck();
    this.#documentsTotal = db.prepare<[], number>('SELECT coalesce(sum(bytes), 0) FROM audit_documents').pluck();
    this.#deleteOldestDocument = db.prepare<[]>('DELETE FROM audit_documents WHERE id = (SELECT min(id) FROM audit_documents)');
    this.#insertPending = db.prepare(`
      INSERT INTO audit (request_id, received_at, actor, remote_addr, user_agent, protocol, action,
                         domain, target, params, outcome)
      VALUES (@requestId, @receivedAt, @actor, @remoteAddr, @userAgent, @protocol, @action,
              @domain, @target, @params, 'pending')`);
    this.#finishPending = db.prepare(`
      UPDATE audit
      SET finished_at = @finishedAt, duration_ms = MAX(0, @finishedAt - received_at), outcome = @outcome,
          http_status = @httpStatus, error_code = @errorCode, error_message = @errorMessage,
          libvirt_code = @libvirtCode, result = @result, progress = coalesce(@progress, progress),
          started_at = coalesce(started_at, @startedAt)
      WHERE id = @id AND outcome IN ('pending', 'running')`);
    this.#interruptPending = db.prepare(`
      UPDATE audit SET outcome = 'interrupted', finished_at = @at, error_code = @errorCode, error_message = @errorMessage
      WHERE outcome IN ('pending', 'running')`);
    this.#markRunning = db.prepare<[number, number]>("UPDATE audit SET outcome = 'running', started_at = ? WHERE id = ? AND outcome = 'pending'");
    this.#saveProgress = db.prepare<[string, number]>("UPDATE audit SET progress = ? WHERE id = ? AND outcome = 'running'");
    this.#selectById = db.prepare<[number], AuditRow>('SELECT * FROM audit WHERE id = ?');
    this.#lastSeq = db.prepare<[], number>('SELECT last FROM audit_finish_counter WHERE id = 1').pluck();
    this.#exportCursor = db.prepare<[string], number>('SELECT after FROM audit_export_cursors WHERE name = ?').pluck();
    this.#saveExportCursor = db.prepare<[string, number]>(
      'INSERT INTO audit_export_cursors (name, after) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET after = excluded.after');
    this.#pruneFinished = db.prepare<[number]>("DELETE FROM audit WHERE received_at < ? AND outcome NOT IN ('pending', 'running')");
  }

  /** Writes a pending record (params bounded); returns its id. */
  begin(start: AuditStart): number {
    const { lastInsertRowid } = this.#insertPending.run({
      requestId: bounded(start.requestId, 'requestId'),
      receivedAt: start.receivedAt,
      actor: bounded(start.actor, 'actor'),
      remoteAddr: boundedOrNull(start.remoteAddr, 'remoteAddr'),
      userAgent: boundedOrNull(start.userAgent, 'userAgent'),
      protocol: start.protocol,
      action: bounded(start.action, 'action'),
      domain: boundedOrNull(start.domain, 'domain'),
      target: boundedOrNull(start.target, 'target'),
      params: JSON.stringify(boundParams(start.params)),
    });
    return Number(lastInsertRowid);
  }

  /** Writes a finished fixed-size record of a refused request: no body, no params but method and path. */
  refuse(r: AuditRefusal): number {
    const { lastInsertRowid } = this.#insertRefusal.run({
      requestId: bounded(r.requestId, 'requestId'),
      receivedAt: r.receivedAt,
      actor: bounded(r.actor, 'actor'),
      remoteAddr: boundedOrNull(r.remoteAddr, 'remoteAddr'),
      protocol: r.protocol,
      action: bounded(r.action, 'action'),
      domain: boundedOrNull(r.domain, 'refusedDomain'),
      params: JSON.stringify({ method: r.method.slice(0, 16), path: bounded(r.path, 'path') }),
      httpStatus: r.httpStatus,
      errorCode: r.errorCode.slice(0, 64),
      errorMessage: truncateText(r.errorMessage, 256),
    });
    return Number(lastInsertRowid);
  }

  /** A document kept with record `id` under its params field, or null (never kept, or dropped by the cap). */
  document(id: number, field: string): string | null {
    return this.#selectDocument.get(id, field) ?? null;
  }

  /** Keeps a whole document beside record `auditId`; the oldest documents go once the cap is passed, and one larger than the cap is not kept. */
  keepDocument(auditId: number, field: string, body: string): void {
    const digest = xmlDigest(body);
    if (digest.bytes > this.#documentsCapBytes) return;
    this.#db.transaction(() => {
      this.#insertDocument.run({ auditId, field: field.slice(0, 64), sha256: digest.sha256, bytes: digest.bytes, body });
      while (this.#documentsTotal.get()! > this.#documentsCapBytes) this.#deleteOldestDocument.run();
    })();
  }

  /** Marks a pending record running (its operation began) at `at`. */
  markRunning(id: number, at: number): void {
    this.#markRunning.run(at, id);
  }

  /** Keeps a running operation's latest progress (bounded like a result). */
  saveProgress(id: number, progress: Record<string, unknown>): void {
    this.#saveProgress.run(JSON.stringify(boundResult(progress)), id);
  }

  /** Completes a pending or running record; returns false (and changes nothing) if it has ended. */
  finish(id: number, end: AuditEnd): boolean {
    const { changes } = this.#finishPending.run({
      id,
      finishedAt: end.finishedAt,
      outcome: end.outcome,
      httpStatus: end.httpStatus,
      errorCode: end.errorCode,
      errorMessage: end.errorMessage === null ? null : truncateText(end.errorMessage, MAX_MESSAGE_CHARS),
      libvirtCode: end.libvirtCode,
      result: end.result === null ? null : JSON.stringify(boundResult(end.result)),
      progress: end.progress ? JSON.stringify(boundResult(end.progress)) : null,
      startedAt: end.startedAt ?? null,
    });
    return changes > 0;
  }

  /** Marks every pending record interrupted at `at` (with `message`, or the default); returns how many. */
  markInterrupted(at: number, message: string = INTERRUPTED_ERROR_MESSAGE): number {
    return this.#interruptPending.run({
      at,
      errorCode: INTERRUPTED_ERROR_CODE,
      errorMessage: message,
    }).changes;
  }

  /** One record, or null. */
  get(id: number): AuditRecord | null {
    const row = this.#selectById.get(id);
    return row ? recordFromRow(row) : null;
  }

  /** A page of records matching every given filter, newest first. */
  query(q: AuditQuery): AuditPage {
    if (q.after !== undefined) return this.#finishedAfter(q, q.after);
    const limit = clampPageSize(q.limit);
    // One row past the page tells whether another page exists.
    const { text, values } = historyPageSql(q, limit + 1);
    const rows = this.#historyStatements.get(text).all(...values);
    const kept = withinPageBytes(rows.slice(0, limit));
    const records = kept.map(recordFromRow);
    const last = records.at(-1);
    return { records, nextCursor: (rows.length > limit || kept.length < Math.min(rows.length, limit)) && last ? last.id : null };
  }

  /** The `seq` of the newest finished record (0 before any). */
  lastSeq(): number {
    return this.#lastSeq.get() ?? 0;
  }

  /** How far exporter `name` got (a seq), or null before its first run. */
  exportCursor(name: string): number | null {
    return this.#exportCursor.get(name) ?? null;
  }

  /** Records how far exporter `name` got. */
  saveExportCursor(name: string, after: number): void {
    this.#saveExportCursor.run(name, after);
  }

  // Finished records after `after` in the order they finished: a page is exact and gap-free, since
  // a record gets its seq only when it ends (migrations/0008_audit_finish_order.sql).
  #finishedAfter(q: AuditQuery, after: number): AuditPage {
    const limit = clampPageSize(q.limit);
    const conditions = [sql`finished_seq > ${after}`, ...filterConditions(q)];
    const { text, values } = sql`SELECT * FROM audit WHERE ${joinSql(conditions, sql` AND `)} ORDER BY finished_seq LIMIT ${limit}`;
    const records = withinPageBytes(this.#historyStatements.get(text).all(...values)).map(recordFromRow);
    return { records, nextCursor: null, nextAfter: records.at(-1)?.seq ?? after };
  }

  /** Deletes finished records received before `before` (a pending or running one has not ended); returns how many. */
  prune(before: number): number {
    return this.#pruneFinished.run(before).changes;
  }

}

/** The SQL for one history page: the given filters ANDed, newest first, at most `rowLimit` rows. */
export function historyPageSql(q: AuditQuery, rowLimit: number): SqlFragment {
  const conditions = filterConditions(q);
  const where = conditions.length > 0 ? sql`WHERE ${joinSql(conditions, sql` AND `)}` : sql``;
  return sql`SELECT * FROM audit ${where} ORDER BY id DESC LIMIT ${rowLimit}`;
}

/** A requested page size brought into MIN_PAGE_SIZE..MAX_PAGE_SIZE (NaN counts as the minimum). */
export function clampPageSize(requested: number): number {
  if (Number.isNaN(requested)) return MIN_PAGE_SIZE;
  return Math.min(MAX_PAGE_SIZE, Math.max(MIN_PAGE_SIZE, Math.floor(requested)));
}

function filterConditions(q: AuditQuery): SqlFragment[] {
  const conditions: SqlFragment[] = [];
  if (q.domain !== undefined) conditions.push(sql`domain = ${q.domain}`);
  if (q.action !== undefined) conditions.push(sql`action = ${q.action}`);
  if (q.outcome !== undefined) conditions.push(sql`outcome = ${q.outcome}`);
  if (q.outcomes !== undefined) conditions.push(sql`outcome IN (${list(q.outcomes)})`);
  if (q.actions !== undefined) conditions.push(sql`action IN (${list(q.actions)})`);
  if (q.actor !== undefined) conditions.push(sql`actor = ${q.actor}`);
  if (q.since !== undefined) conditions.push(sql`received_at >= ${q.since}`);
  if (q.until !== undefined) conditions.push(sql`received_at <= ${q.until}`);
  if (q.before !== undefined) conditions.push(sql`id < ${q.before}`);
  return conditions;
}

/** `?, ?, …` for each value (an empty list matches nothing: NULL). */
function list(values: readonly string[]): SqlFragment {
  return values.length === 0 ? sql`NULL` : joinSql(values.map((value) => sql`${value}`), sql`, `);
}

// Rows until their stored JSON and text pass MAX_PAGE_BYTES (always at least one): records are
// bounded, so a page of the most records stays a few MB at worst, and the cursor goes on from there.
function withinPageBytes(rows: AuditRow[]): AuditRow[] {
  let bytes = 0;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    bytes += 512 + utf8Bytes(row.params) + utf8Bytes(row.result) + utf8Bytes(row.progress) + utf8Bytes(row.error_message) + utf8Bytes(row.user_agent);
    if (bytes > MAX_PAGE_BYTES && i > 0) return rows.slice(0, i);
  }
  return rows;
}

function utf8Bytes(text: string | null): number {
  return text === null ? 0 : Buffer.byteLength(text, 'utf8');
}

function bounded(text: string, column: keyof typeof TEXT_BOUNDS): string {
  return text.length <= TEXT_BOUNDS[column] ? text : text.slice(0, TEXT_BOUNDS[column]);
}

function boundedOrNull(text: string | null, column: keyof typeof TEXT_BOUNDS): string | null {
  return text === null ? null : bounded(text, column);
}

function recordFromRow(row: AuditRow): AuditRecord {
  return {
    id: row.id,
    requestId: row.request_id,
    receivedAt: row.received_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    durationMs: row.duration_ms,
    actor: row.actor,
    remoteAddr: row.remote_addr,
    userAgent: row.user_agent,
    // The table's CHECK constraints admit only these values.
    protocol: row.protocol as AuditProtocol,
    action: row.action,
    domain: row.domain,
    target: row.target,
    params: parseJsonObject(row.params),
    httpStatus: row.http_status,
    outcome: row.outcome as AuditOutcome,
    errorCode: row.error_code,
    errorMessage: row.error_message,
    libvirtCode: row.libvirt_code,
    result: row.result === null ? null : parseJsonObject(row.result),
    progress: row.progress === null ? null : parseJsonObject(row.progress),
    seq: row.finished_seq,
  };
}

function parseJsonObject(text: string): Record<string, unknown> {
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`audit JSON column holds ${text.slice(0, 40)}, not an object`);
  }
  return value as Record<string, unknown>;
}
