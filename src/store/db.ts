/**
 * Opening and closing the agent's SQLite database. Nothing happens at import time; main.ts opens
 * the database, runs migrate(), and hands the handle to the stores.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';

/** A better-sqlite3 connection. */
export type Database = BetterSqlite3.Database;

/** How long a statement waits for another connection's lock before failing with SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5000;

const IN_MEMORY = ':memory:';

/** Where better-sqlite3's native addon is, when not found the usual way (the deploy bundle ships it beside itself). */
export interface OpenOptions {
  nativeBinding?: string;
}

/** Opens (creating it and its directory if needed) the database at `path`, with the agent's pragmas. */
export function openDatabase(path: string, options: OpenOptions = {}): Database {
  const inMemory = path === IN_MEMORY;
  if (!inMemory) mkdirSync(dirname(path), { recursive: true });
  const db = new BetterSqlite3(path, { timeout: BUSY_TIMEOUT_MS, ...(options.nativeBinding !== undefined && { nativeBinding: options.nativeBinding }) });
  try {
    applyPragmas(db, inMemory);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

/** Lets SQLite refresh its planner statistics, then closes the connection; a closed one is left alone. */
export function closeDatabase(db: Database): void {
  if (!db.open) return;
  db.pragma('optimize');
  db.close();
}

function applyPragmas(db: Database, inMemory: boolean): void {
  // busy_timeout first, so switching to WAL waits for another connection instead of failing.
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  // WAL: readers don't block the writer. An in-memory database has no WAL; SQLite would answer 'memory'.
  if (!inMemory) db.pragma('journal_mode = WAL');
  // NORMAL in WAL mode: a commit survives the process being killed; only a power loss can undo the last ones.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
}
