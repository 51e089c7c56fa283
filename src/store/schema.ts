/**
 * Schema migrations: numbered files `NNNN_description.sql`, applied in order, each in its own
 * transaction that also advances `PRAGMA user_version`, so a failure leaves the previous version.
 * A database newer than the newest migration is refused rather than guessed at.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from './db.ts';

/** One numbered schema change. */
export interface Migration {
  version: number;
  file: string;
  sql: string;
}

/** The schema version before and after upgradeSchema(); equal when there was nothing to do. */
export interface MigrationResult {
  from: number;
  to: number;
}

/** Where the migrations live in the repository; a bundled deploy passes its own directory. */
export const DEFAULT_MIGRATIONS_DIR = new URL('../../migrations/', import.meta.url);

/** The database was written by a newer agent; running older code against it could corrupt it. */
export class DatabaseTooNewError extends Error {
  override readonly name = 'DatabaseTooNewError';
  constructor(
    readonly databaseVersion: number,
    readonly codeVersion: number,
  ) {
    super(
      `database schema version ${databaseVersion} is newer than this agent's newest migration ` +
        `(${codeVersion}); run a newer agent or restore a backup`,
    );
  }
}

/** The migration files are misnamed, missing, duplicated, or not numbered 0001, 0002, … */
export class MigrationSetError extends Error {
  override readonly name = 'MigrationSetError';
}

/** A migration's SQL failed; its transaction was rolled back. */
export class MigrationFailedError extends Error {
  override readonly name = 'MigrationFailedError';
  constructor(
    readonly migration: Migration,
    readonly versionKept: number,
    cause: unknown,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`migration ${migration.file} failed (${reason}); the database stays at version ${versionKept}`, { cause });
  }
}

const MIGRATION_FILE = /^(\d{4})_[A-Za-z0-9][A-Za-z0-9_-]*\.sql$/;

/** Reads and checks the migrations in `dir`, ordered by version. Files not ending in .sql are ignored. */
export function loadMigrations(dir: string | URL = DEFAULT_MIGRATIONS_DIR): Migration[] {
  const dirPath = dir instanceof URL ? fileURLToPath(dir) : dir;
  const migrations = readdirSync(dirPath)
    .filter((file) => file.endsWith('.sql'))
    .map((file) => ({ version: versionOf(file), file, sql: readFileSync(join(dirPath, file), 'utf8') }))
    .sort((a, b) => a.version - b.version || a.file.localeCompare(b.file));
  if (migrations.length === 0) throw new MigrationSetError(`no migrations found in ${dirPath}`);
  checkSequence(migrations);
  return migrations;
}

/** Brings the database up to the newest migration in `dir`. */
export function upgradeSchema(db: Database, dir: string | URL = DEFAULT_MIGRATIONS_DIR): MigrationResult {
  return applyMigrations(db, loadMigrations(dir));
}

/** Applies every migration newer than the database's user_version, each in its own transaction. */
export function applyMigrations(db: Database, migrations: readonly Migration[]): MigrationResult {
  checkSequence(migrations);
  const newest = migrations.at(-1)?.version ?? 0;
  const from = readUserVersion(db);
  if (from > newest) throw new DatabaseTooNewError(from, newest);
  for (const migration of migrations) {
    if (migration.version > from) applyOne(db, migration);
  }
  return { from, to: readUserVersion(db) };
}

/** The schema version recorded in the database (0 for a new one). */
export function readUserVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * The first line a migration that rebuilds a referenced table starts with: foreign keys are off
 * around its transaction (SQLite ignores the pragma inside one), so dropping the old table does
 * not fire ON DELETE actions; foreign_key_check still runs before it commits.
 */
export const FOREIGN_KEYS_OFF = '-- govirthost: foreign-keys-off';

function applyOne(db: Database, migration: Migration): void {
  const keysOff = migration.sql.startsWith(FOREIGN_KEYS_OFF) && db.pragma('foreign_keys', { simple: true }) === 1;
  if (keysOff) db.pragma('foreign_keys = OFF');
  try {
    applyInTransaction(db, migration);
  } finally {
    if (keysOff) db.pragma('foreign_keys = ON');
  }
}

function applyInTransaction(db: Database, migration: Migration): void {
  const step = db.transaction(() => {
    // Another process may have applied it since we looked; the write lock (IMMEDIATE) settles who.
    if (readUserVersion(db) >= migration.version) return;
    db.exec(migration.sql);
    const violations = db.pragma('foreign_key_check') as unknown[];
    if (violations.length > 0) throw new Error(`${violations.length} foreign key violation(s)`);
    // PRAGMA takes no bound parameters; the version is an integer parsed from a 4-digit file name.
    db.pragma(`user_version = ${migration.version}`);
  });
  try {
    step.immediate();
  } catch (error) {
    throw new MigrationFailedError(migration, readUserVersion(db), error);
  }
}

function versionOf(file: string): number {
  const match = MIGRATION_FILE.exec(file);
  if (!match?.[1]) throw new MigrationSetError(`migration file ${file} is not named NNNN_description.sql`);
  return Number(match[1]);
}

function checkSequence(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    const previous = migrations[index - 1];
    if (previous && previous.version === migration.version) {
      throw new MigrationSetError(`migrations ${previous.file} and ${migration.file} share version ${migration.version}`);
    }
    if (migration.version !== index + 1) {
      throw new MigrationSetError(
        `migration ${migration.file} should be version ${index + 1}: numbering must run 0001, 0002, … without gaps`,
      );
    }
  });
}
