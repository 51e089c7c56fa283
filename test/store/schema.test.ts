import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase, type Database } from '../../src/store/db.ts';
import {
  DEFAULT_MIGRATIONS_DIR, DatabaseTooNewError, MigrationFailedError, MigrationSetError, applyMigrations,
  loadMigrations, upgradeSchema, readUserVersion,
} from '../../src/store/schema.ts';

const REAL_MIGRATIONS = loadMigrations();
const NEWEST = REAL_MIGRATIONS.length;
const scratchDirs: string[] = [];
after(() => scratchDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A temp directory holding the given migration files (name → SQL). */
function migrationsDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'gvh-migrations-'));
  scratchDirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** A database migrated to exactly `version` with the real migrations. */
function memoryDbAt(version: number): Database {
  const db = openDatabase(':memory:');
  applyMigrations(db, REAL_MIGRATIONS.slice(0, version));
  return db;
}

function tableExists(db: Database, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

describe('migrate', () => {
  test('brings a fresh database to the newest version', () => {
    const db = openDatabase(':memory:');
    assert.deepEqual(upgradeSchema(db), { from: 0, to: NEWEST });
    assert.equal(readUserVersion(db), NEWEST);
    assert.ok(tableExists(db, 'audit') && tableExists(db, 'undefined_domains'));
  });

  test('does nothing the second time', () => {
    const db = openDatabase(':memory:');
    upgradeSchema(db);
    assert.deepEqual(upgradeSchema(db), { from: NEWEST, to: NEWEST });
  });

  test('applies only the migrations newer than the database', () => {
    const db = memoryDbAt(1);
    assert.deepEqual(upgradeSchema(db), { from: 1, to: NEWEST });
  });

  test('refuses a database newer than the code, naming both versions', () => {
    const db = openDatabase(':memory:');
    db.pragma(`user_version = ${NEWEST + 3}`);
    assert.throws(() => upgradeSchema(db), (error: unknown) => {
      assert.ok(error instanceof DatabaseTooNewError);
      assert.equal(error.databaseVersion, NEWEST + 3);
      assert.equal(error.codeVersion, NEWEST);
      assert.match(error.message, new RegExp(`version ${NEWEST + 3}\\b.*\\(${NEWEST}\\)`));
      return true;
    });
    assert.equal(readUserVersion(db), NEWEST + 3);
  });

  test('rolls back a failing migration, leaving the previous version and no partial table', () => {
    const dir = migrationsDir({
      '0002_broken.sql': 'CREATE TABLE half_done (x INTEGER);\nINSERT INTO no_such_table VALUES (1);\n',
    });
    copyFileSync(join(fileURLToPath(DEFAULT_MIGRATIONS_DIR), '0001_audit.sql'), join(dir, '0001_audit.sql'));
    const db = openDatabase(':memory:');
    assert.throws(() => upgradeSchema(db, dir), (error: unknown) => {
      assert.ok(error instanceof MigrationFailedError);
      assert.equal(error.migration.file, '0002_broken.sql');
      assert.equal(error.versionKept, 1);
      assert.match(error.message, /0002_broken\.sql.*no such table.*version 1/);
      return true;
    });
    assert.equal(readUserVersion(db), 1);
    assert.ok(tableExists(db, 'audit'));
    assert.ok(!tableExists(db, 'half_done'));
  });

  test('accepts the directory as a path or a file URL', () => {
    const asPath = fileURLToPath(DEFAULT_MIGRATIONS_DIR);
    assert.deepEqual(upgradeSchema(openDatabase(':memory:'), asPath), { from: 0, to: NEWEST });
    assert.deepEqual(loadMigrations(asPath), loadMigrations(DEFAULT_MIGRATIONS_DIR));
  });
});

describe('loadMigrations', () => {
  const ok = 'SELECT 1;';

  test('orders by number and ignores files that are not .sql', () => {
    const dir = migrationsDir({ '0002_b.sql': ok, '0001_a.sql': ok, 'README.md': '# notes' });
    assert.deepEqual(loadMigrations(dir).map((m) => [m.version, m.file]), [[1, '0001_a.sql'], [2, '0002_b.sql']]);
  });

  test('refuses a gap in the numbering', () => {
    const dir = migrationsDir({ '0001_a.sql': ok, '0003_c.sql': ok });
    assert.throws(() => loadMigrations(dir), MigrationSetError);
  });

  test('refuses numbering that does not start at 0001', () => {
    assert.throws(() => loadMigrations(migrationsDir({ '0002_b.sql': ok })), MigrationSetError);
  });

  test('refuses two files with the same number', () => {
    const dir = migrationsDir({ '0001_a.sql': ok, '0002_b.sql': ok, '0002_c.sql': ok });
    assert.throws(() => loadMigrations(dir), /0002_b\.sql and 0002_c\.sql share version 2/);
  });

  test('refuses a misnamed .sql file instead of skipping it', () => {
    const dir = migrationsDir({ '0001_a.sql': ok, '2_b.sql': ok });
    assert.throws(() => loadMigrations(dir), /2_b\.sql is not named NNNN_description\.sql/);
  });

  test('refuses a directory with no migrations', () => {
    assert.throws(() => loadMigrations(migrationsDir({})), /no migrations found/);
  });
});

describe('0001_audit', () => {
  const insert = (db: Database, row: Record<string, unknown>) =>
    db.prepare(`
      INSERT INTO audit (request_id, received_at, actor, protocol, action, params, outcome)
      VALUES (@request_id, @received_at, @actor, @protocol, @action, @params, @outcome)`).run({
      request_id: 'r', received_at: 1, actor: 'ops', protocol: 'seed', action: 'start', params: '{}',
      outcome: 'pending', ...row,
    });

  test('stores a valid row', () => {
    const db = memoryDbAt(1);
    insert(db, {});
    assert.equal(db.prepare('SELECT count(*) FROM audit').pluck().get(), 1);
  });

  test('rejects an unknown outcome or protocol', () => {
    const db = memoryDbAt(1);
    assert.throws(() => insert(db, { outcome: 'bogus' }), /CHECK constraint failed/);
    assert.throws(() => insert(db, { protocol: 'grpc' }), /CHECK constraint failed/);
  });

  test('rejects params that are not JSON, and a missing actor', () => {
    const db = memoryDbAt(1);
    assert.throws(() => insert(db, { params: '{oops' }), /CHECK constraint failed/);
    assert.throws(() => insert(db, { actor: null }), /NOT NULL constraint failed: audit\.actor/);
  });

  test('rejects a value of the wrong type (STRICT)', () => {
    const db = memoryDbAt(1);
    assert.throws(() => insert(db, { received_at: 'yesterday' }), /cannot store TEXT value in INTEGER column/);
  });

  test('never reuses an id, so paging cursors stay valid after deletes', () => {
    const db = memoryDbAt(1);
    insert(db, {});
    const newest = Number(insert(db, {}).lastInsertRowid);
    db.prepare('DELETE FROM audit WHERE id = ?').run(newest);
    assert.ok(Number(insert(db, {}).lastInsertRowid) > newest);
  });
});

describe('0002_undefined_domains', () => {
  const auditRow = (db: Database) =>
    Number(db.prepare(`
      INSERT INTO audit (request_id, received_at, actor, protocol, action, params, outcome)
      VALUES ('r', 1, 'ops', 'rest', 'undefine', '{}', 'succeeded')`).run().lastInsertRowid);
  const insert = (db: Database, auditId: number | null) =>
    db.prepare('INSERT INTO undefined_domains (name, xml, audit_id, undefined_at) VALUES (?, ?, ?, ?)')
      .run('web1', '<domain/>', auditId, 5);

  test('stores a definition linked to its audit record', () => {
    const db = memoryDbAt(2);
    insert(db, auditRow(db));
    assert.equal(db.prepare('SELECT count(*) FROM undefined_domains').pluck().get(), 1);
  });

  test('rejects a link to an audit record that does not exist', () => {
    const db = memoryDbAt(2);
    assert.throws(() => insert(db, 999), /FOREIGN KEY constraint failed/);
  });

  test('keeps the definition when its audit record is deleted', () => {
    const db = memoryDbAt(2);
    const auditId = auditRow(db);
    insert(db, auditId);
    db.prepare('DELETE FROM audit WHERE id = ?').run(auditId);
    assert.deepEqual(db.prepare('SELECT xml, audit_id FROM undefined_domains').get(), { xml: '<domain/>', audit_id: null });
  });
});

describe('0003_inventory_snapshots and 0004_state_changes', () => {
  const auditRow = (db: Database, action = 'destroy') =>
    Number(db.prepare(`
      INSERT INTO audit (request_id, received_at, actor, protocol, action, domain, params, outcome)
      VALUES ('r', 1, 'ops', 'rest', ?, 'web1', '{}', 'succeeded')`).run(action).lastInsertRowid);

  test('apply on a version-2 database file with data: its rows stay, the new tables work', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gvh-v2-'));
    scratchDirs.push(dir);
    const file = join(dir, 'v2.db');
    const v2 = openDatabase(file);
    applyMigrations(v2, REAL_MIGRATIONS.slice(0, 2));
    const auditId = auditRow(v2, 'undefine');
    v2.prepare("INSERT INTO undefined_domains (name, xml, audit_id, undefined_at) VALUES ('web1', '<domain/>', ?, 5)").run(auditId);
    v2.close();
    const db = openDatabase(file);
    assert.deepEqual(upgradeSchema(db), { from: 2, to: NEWEST });
    assert.equal(NEWEST >= 4, true);
    assert.deepEqual(db.prepare('SELECT action, domain FROM audit').all(), [{ action: 'undefine', domain: 'web1' }]);
    assert.deepEqual(db.prepare('SELECT name, audit_id FROM undefined_domains').all(), [{ name: 'web1', audit_id: auditId }]);
    for (const t of ['snapshots', 'snapshot_domains', 'inventory_domains', 'host_infos', 'state_changes']) assert.ok(tableExists(db, t), t);
    db.prepare("INSERT INTO state_changes (domain, uuid, at, from_state, to_state, reason, cause, event, audit_id) VALUES ('web1', ?, 2, 'running', 'shut off', 'destroyed', 'event', 'stopped/destroyed', ?)")
      .run(Buffer.alloc(16), auditId);
    assert.equal(db.prepare('SELECT count(*) FROM state_changes').pluck().get(), 1);
    db.close();
  });

  test('snapshots: ok with an error, or failed without one, is refused', () => {
    const db = memoryDbAt(3);
    const insert = db.prepare('INSERT INTO snapshots (taken_at, duration_ms, ok, error) VALUES (1, 1, ?, ?)');
    assert.throws(() => insert.run(1, 'oops'), /CHECK constraint failed/);
    assert.throws(() => insert.run(0, null), /CHECK constraint failed/);
    assert.throws(() => insert.run(2, null), /CHECK constraint failed/);
    insert.run(0, 'libvirt down');
    insert.run(1, null);
  });

  test('snapshot_domains: one open run per domain; a run cannot end before it starts; UUIDs are 16 bytes', () => {
    const db = memoryDbAt(3);
    assert.throws(() => db.prepare('INSERT INTO inventory_domains (uuid) VALUES (?)').run(Buffer.alloc(15)), /CHECK constraint failed/);
    const key = Number(db.prepare('INSERT INTO inventory_domains (uuid) VALUES (?)').run(Buffer.alloc(16)).lastInsertRowid);
    const run = db.prepare("INSERT INTO snapshot_domains (domain_id, first_snapshot_id, last_snapshot_id, name, libvirt_id, state, reason) VALUES (?, ?, ?, 'a', -1, 5, 0)");
    run.run(key, 1, null);
    assert.throws(() => run.run(key, 2, null), /UNIQUE constraint failed/);
    assert.throws(() => run.run(key, 3, 2), /CHECK constraint failed/);
    run.run(key, 1, 1);
    assert.throws(() => run.run(999, 1, 1), /FOREIGN KEY constraint failed/);
  });

  test('state_changes: an event cause names its event, a snapshot cause does not; audit rows deleted leave changes unlinked', () => {
    const db = memoryDbAt(4);
    const insert = db.prepare("INSERT INTO state_changes (domain, uuid, at, from_state, to_state, reason, cause, event, audit_id) VALUES ('a', ?, 1, 'x', 'y', 'r', ?, ?, ?)");
    assert.throws(() => insert.run(Buffer.alloc(16), 'event', null, null), /CHECK constraint failed/);
    assert.throws(() => insert.run(Buffer.alloc(16), 'snapshot', 'started/booted', null), /CHECK constraint failed/);
    assert.throws(() => insert.run(Buffer.alloc(16), 'guess', null, null), /CHECK constraint failed/);
    assert.throws(() => insert.run(Buffer.alloc(16), 'event', 'started/booted', 42), /FOREIGN KEY constraint failed/);
    const auditId = auditRow(db);
    insert.run(Buffer.alloc(16), 'event', 'stopped/destroyed', auditId);
    insert.run(Buffer.alloc(16), 'snapshot', null, null);
    db.prepare('DELETE FROM audit WHERE id = ?').run(auditId);
    assert.deepEqual(db.prepare('SELECT cause, audit_id FROM state_changes ORDER BY id').all(), [{ cause: 'event', audit_id: null }, { cause: 'snapshot', audit_id: null }]);
  });
});
