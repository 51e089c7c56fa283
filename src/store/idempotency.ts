/**
 * Idempotency keys (migrations/0006_idempotency_keys.sql): a caller's key claimed with its request's
 * fingerprint, then completed with the answer, so that a retry is answered again without running.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { Database } from './db.ts';

/** How long a key holds (the draft's suggested 24 h). */
export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;
/** The largest answer body kept for a replay; a larger answer is not replayable (the key is released). */
export const MAX_STORED_ANSWER_BYTES = 64 * 1024;

/** What claiming a key found. */
export type Claim =
  | { kind: 'new' }
  | { kind: 'replay'; status: number; body: string; auditId: number | null }
  | { kind: 'mismatch' }
  | { kind: 'in-progress'; auditId: number | null };

interface KeyRow { fingerprint: string; created_at: number; audit_id: number | null; status: number | null; body: string | null }

/** The idempotency keys over SQLite. */
export class SqliteIdempotencyStore {
  readonly #select: BetterSqlite3.Statement<[string, string], KeyRow>;
  readonly #insert: BetterSqlite3.Statement<[string, string, string, number]>;
  readonly #complete: BetterSqlite3.Statement<[number | null, number, string, string, string]>;
  readonly #release: BetterSqlite3.Statement<[string, string]>;
  readonly #attach: BetterSqlite3.Statement<[number, string, string]>;
  readonly #claimTx: (actor: string, key: string, fingerprint: string, now: number) => Claim;

  constructor(db: Database) {
    this.#select = db.prepare<[string, string], KeyRow>('SELECT fingerprint, created_at, audit_id, status, body FROM idempotency_keys WHERE actor = ? AND key = ?');
    this.#insert = db.prepare<[string, string, string, number]>('INSERT INTO idempotency_keys (actor, key, fingerprint, created_at) VALUES (?, ?, ?, ?)');
    this.#complete = db.prepare<[number | null, number, string, string, string]>('UPDATE idempotency_keys SET audit_id = ?, status = ?, body = ? WHERE actor = ? AND key = ?');
    this.#release = db.prepare<[string, string]>('DELETE FROM idempotency_keys WHERE actor = ? AND key = ?');
    this.#attach = db.prepare<[number, string, string]>('UPDATE idempotency_keys SET audit_id = ? WHERE actor = ? AND key = ? AND status IS NULL');
    this.#claimTx = db.transaction((actor: string, key: string, fingerprint: string, now: number): Claim => {
      const row = this.#select.get(actor, key);
      if (row && now - row.created_at < IDEMPOTENCY_TTL_MS) return existing(row, fingerprint);
      if (row) this.#release.run(actor, key);
      this.#insert.run(actor, key, fingerprint, now);
      return { kind: 'new' };
    });
  }

  /** Claims `key` for `actor`'s request, or says what an earlier request with it found. */
  claim(actor: string, key: string, fingerprint: string, now: number): Claim {
    return this.#claimTx(actor, key, fingerprint, now);
  }

  /** Links a claimed key to the operation its request started, so a retry while it runs can name it. */
  attach(actor: string, key: string, auditId: number): void {
    this.#attach.run(auditId, actor, key);
  }

  /** Stores the answer of the request that claimed the key; an answer too large to keep releases it. */
  complete(actor: string, key: string, auditId: number | null, status: number, body: string): void {
    if (Buffer.byteLength(body, 'utf8') > MAX_STORED_ANSWER_BYTES) this.#release.run(actor, key);
    else this.#complete.run(auditId, status, body, actor, key);
  }

  /** Forgets a claim whose request should be retried for real (an answer that was not the request's fault). */
  release(actor: string, key: string): void {
    this.#release.run(actor, key);
  }
}

function existing(row: KeyRow, fingerprint: string): Claim {
  if (row.fingerprint !== fingerprint) return { kind: 'mismatch' };
  if (row.status === null || row.body === null) return { kind: 'in-progress', auditId: row.audit_id };
  return { kind: 'replay', status: row.status, body: row.body, auditId: row.audit_id };
}
