import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SqliteAuditStore } from '../../src/store/audit.ts';
import { closeDatabase, openDatabase } from '../../src/store/db.ts';
import { loadMigrations, upgradeSchema } from '../../src/store/schema.ts';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURE = fileURLToPath(new URL('./fixtures/begin-then-hang.ts', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'gvh-crash-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs the fixture against `dbPath`, waits for the ids it prints, then SIGKILLs it. */
async function beginThenKill(dbPath: string): Promise<{ finished: number; pending: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, dbPath], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit');
  const diedEarly = exited.then(([code]) => {
    throw new Error(`fixture exited (code ${String(code)}) before printing its ids`);
  });
  const printed = once(createInterface({ input: child.stdout }), 'line');
  const [line] = (await Promise.race([printed, diedEarly])) as [string];
  child.kill('SIGKILL');
  const [code, signal] = await exited;
  assert.deepEqual([code, signal], [null, 'SIGKILL']);
  return JSON.parse(line) as { finished: number; pending: number };
}

test('a record begun by a killed agent is marked interrupted at the next start', { timeout: 30_000 }, async () => {
  const dbPath = join(scratch, 'nested', 'agent.db');
  const ids = await beginThenKill(dbPath);
  // The killed process never checkpointed: its commits live only in the WAL, which SQLite replays.
  assert.ok(existsSync(`${dbPath}-wal`));

  const db = openDatabase(dbPath);
  try {
    const newest = loadMigrations().length;
    assert.deepEqual(upgradeSchema(db), { from: newest, to: newest });
    const store = new SqliteAuditStore(db);
    assert.equal(store.get(ids.pending)?.outcome, 'pending');
    assert.equal(store.markInterrupted(Date.now()), 1);
    assert.equal(store.get(ids.pending)?.outcome, 'interrupted');
    assert.equal(store.get(ids.finished)?.outcome, 'succeeded');
    assert.equal(store.query({ limit: 10 }).records.length, 2);
  } finally {
    closeDatabase(db);
  }
});
