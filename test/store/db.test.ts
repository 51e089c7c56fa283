import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUSY_TIMEOUT_MS, closeDatabase, openDatabase, type Database } from '../../src/store/db.ts';

const scratch = mkdtempSync(join(tmpdir(), 'gvh-db-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const pragma = (db: Database, name: string) => db.pragma(name, { simple: true });

describe('openDatabase', () => {
  test('creates a file database in a new directory, in WAL mode, with the agent pragmas', () => {
    const db = openDatabase(join(scratch, 'a', 'b', 'agent.db'));
    assert.equal(pragma(db, 'journal_mode'), 'wal');
    assert.equal(pragma(db, 'synchronous'), 1); // NORMAL
    assert.equal(pragma(db, 'foreign_keys'), 1);
    assert.equal(pragma(db, 'busy_timeout'), BUSY_TIMEOUT_MS);
    closeDatabase(db);
  });

  test('opens an in-memory database without WAL', () => {
    const db = openDatabase(':memory:');
    assert.equal(pragma(db, 'journal_mode'), 'memory');
    assert.equal(pragma(db, 'foreign_keys'), 1);
  });
});

describe('closeDatabase', () => {
  test('closes, and leaves an already closed database alone', () => {
    const db = openDatabase(':memory:');
    closeDatabase(db);
    assert.equal(db.open, false);
    assert.doesNotThrow(() => closeDatabase(db));
  });
});
