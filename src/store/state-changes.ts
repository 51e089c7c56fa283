/**
 * Each domain's state timeline over SQLite (migrations/0004_state_changes.sql), with the audited
 * action that caused a change linked when one was running on that domain at the time.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { ChangeCause, StateChange, StateChangeRecord, TimelinePage, TimelineQuery } from '../model/inventory.ts';
import type { Database } from './db.ts';
import { StatementCache, joinSql, sql, type SqlFragment, type SqlValue } from './sql.ts';

/** The most changes one timeline page holds. */
export const MAX_TIMELINE_PAGE = 500;

interface ChangeRow {
  id: number;
  domain: string;
  uuid: Buffer;
  at: number;
  from_state: string;
  to_state: string;
  reason: string;
  cause: string;
  event: string | null;
  audit_id: number | null;
  action: string | null;
  actor: string | null;
}

/** State changes: recorded as they happen, read as a per-domain timeline, pruned with the audit log. */
export class SqliteStateChangeStore {
  readonly #insert: BetterSqlite3.Statement<[Record<string, SqlValue>]>;
  readonly #link: BetterSqlite3.Statement<[number, string, number, number]>;
  readonly #prune: BetterSqlite3.Statement<[number]>;
  readonly #pages: StatementCache<ChangeRow>;

  constructor(db: Database) {
    this.#pages = new StatementCache(db);
    this.#insert = db.prepare(`
      INSERT INTO state_changes (domain, uuid, at, from_state, to_state, reason, cause, event, audit_id)
      VALUES (@domain, @uuid, @at, @from, @to, @reason, @cause, @event, @auditId)`);
    this.#link = db.prepare(`
      UPDATE state_changes SET audit_id = ? WHERE domain = ? AND at BETWEEN ? AND ? AND audit_id IS NULL AND cause = 'event'`);
    this.#prune = db.prepare('DELETE FROM state_changes WHERE at < ?');
  }

  /** Records one change, caused by the audited action `auditId` when known; returns its id. */
  record(change: StateChange, auditId: number | null = null): number {
    return Number(this.#insert.run({
      domain: change.domain, uuid: change.uuid, at: Math.round(change.at), from: change.from, to: change.to, reason: change.reason,
      cause: change.cause.type, event: change.cause.type === 'event' ? change.cause.event : null, auditId,
    }).lastInsertRowid);
  }

  /** Links the event-caused changes of `domain` between `from` and `to` (epoch ms) to an audited action. */
  linkAudit(auditId: number, domain: string, from: number, to: number): number {
    return this.#link.run(auditId, domain, from, to).changes;
  }

  /** A page of one domain's changes, newest first. */
  timeline(q: TimelineQuery): TimelinePage {
    const limit = Math.max(1, Math.min(q.limit, MAX_TIMELINE_PAGE));
    const conditions: SqlFragment[] = [sql`c.domain = ${q.domain}`];
    if (q.since !== undefined) conditions.push(sql`c.at >= ${q.since}`);
    if (q.until !== undefined) conditions.push(sql`c.at <= ${q.until}`);
    if (q.before !== undefined) conditions.push(sql`c.id < ${q.before}`);
    const { text, values } = sql`SELECT c.*, a.action, a.actor FROM state_changes c LEFT JOIN audit a ON a.id = c.audit_id
      WHERE ${joinSql(conditions, sql` AND `)} ORDER BY c.id DESC LIMIT ${limit + 1}`;
    const rows = this.#pages.get(text).all(...values);
    const changes = rows.slice(0, limit).map(recordFromRow);
    return { changes, nextCursor: rows.length > limit ? changes.at(-1)!.id : null };
  }

  /** Deletes changes older than `before` (epoch ms); returns how many. */
  prune(before: number): number {
    return this.#prune.run(before).changes;
  }

}

function recordFromRow(row: ChangeRow): StateChangeRecord {
  const cause: ChangeCause = row.cause === 'event' ? { type: 'event', event: row.event ?? '' } : { type: 'snapshot' };
  return {
    id: row.id, domain: row.domain, uuid: Buffer.from(row.uuid), at: row.at, from: row.from_state, to: row.to_state,
    reason: row.reason, cause, auditId: row.audit_id, action: row.action, actor: row.actor,
  };
}
