/**
 * The XML of domains the agent undefined (migrations/0002_undefined_domains.sql), kept so that a
 * later `define` without XML can bring the newest one back.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { Database } from './db.ts';
import type { DefinitionStore } from './types.ts';

/** DefinitionStore over the `undefined_domains` table. */
export class SqliteDefinitionStore implements DefinitionStore {
  readonly #insert: BetterSqlite3.Statement<[string, string, number, number]>;
  readonly #selectNewestXml: BetterSqlite3.Statement<[string], string>;
  readonly #selectByAudit: BetterSqlite3.Statement<[number], string>;

  constructor(db: Database) {
    this.#insert = db.prepare<[string, string, number, number]>(
      'INSERT INTO undefined_domains (name, xml, audit_id, undefined_at) VALUES (?, ?, ?, ?)',
    );
    // id breaks ties between two undefines stamped with the same millisecond: the later insert wins.
    this.#selectNewestXml = db
      .prepare<[string], string>(
        'SELECT xml FROM undefined_domains WHERE name = ? ORDER BY undefined_at DESC, id DESC LIMIT 1',
      )
      .pluck();
    this.#selectByAudit = db.prepare<[number], string>('SELECT xml FROM undefined_domains WHERE audit_id = ? ORDER BY id DESC LIMIT 1').pluck();
  }

  /** The XML that the undefine of audit record `auditId` removed, or null. */
  removedBy(auditId: number): string | null {
    return this.#selectByAudit.get(auditId) ?? null;
  }

  /** Remembers a domain's XML as it was just before the agent undefined it (auditId: that action's record). */
  rememberUndefined(name: string, xml: string, auditId: number, at: number): void {
    this.#insert.run(name, xml, auditId, at);
  }

  /** The XML recorded at the domain's most recent undefine through the agent, or null. */
  lastUndefined(name: string): string | null {
    return this.#selectNewestXml.get(name) ?? null;
  }
}
