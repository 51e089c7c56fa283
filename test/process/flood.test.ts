/**
 * The agent process under a flood, as an attacker would send it: requests without a token (large
 * bodies and many small ones) barely grow the database and are rate limited per address; bad
 * requests from a valid caller leave records small enough that a 500-record history page stays
 * under 2 MB.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { createToken } from '../../src/auth/tokens.ts';
import { hostEnv } from '../support/hosts.ts';
import { flood, send } from '../support/flood.ts';
import { freePort, killIfRunning, spawnAgentFromSource, waitForStatus, type Spawned } from '../support/process.ts';

const MIB = 1024 ** 2;

describe('the agent process under a flood', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gvh-flood-'));
  const db = path.join(dir, 'agent.db');
  const tokensFile = path.join(dir, 'tokens.json');
  let agent: Spawned;
  let base = '';
  let admin = '';
  // The database's size as SQLite sees it, pages in the WAL included: its files also hold a WAL of
  // at most ~4 MiB (auto-checkpoint at 1,000 pages) that is reused, not grown, after each checkpoint.
  const dbBytes = () => {
    const reader = new Database(db, { readonly: true });
    try {
      return Number(reader.pragma('page_count', { simple: true })) * Number(reader.pragma('page_size', { simple: true }));
    } finally {
      reader.close();
    }
  };

  before(async () => {
    admin = createToken(tokensFile, 'flood-admin', 'admin');
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    agent = spawnAgentFromSource([
      '--listen', `127.0.0.1:${port}`, '--log-level', 'warn', '--libvirt-uri', hostEnv('GVH_A_TEST_URI'), '--db', db,
      '--tokens-file', tokensFile, '--snapshot-schedule', '0 0 0 1 1 *',
    ]);
    await waitForStatus(agent, `${base}/healthz`);
  });
  after(() => {
    killIfRunning(agent);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('10,000 refused requests without a token (20 of them 900 KiB) grow the database by under 2 MiB', async () => {
    const start = dbBytes();
    const big = JSON.stringify({ xml: `<domain>${'A'.repeat(900 * 1024)}</domain>` });
    const first = await send(base, { method: 'POST', path: '/v1/domains', body: big });
    assert.equal(first.status, 401, first.text);
    assert.equal(first.connection, 'close', 'an unread body is not drained: the connection closes');
    const large = await flood(base, 19, 4, () => ({ method: 'POST', path: '/', body: big }));
    const routes = [['POST', '/v1/domains/test/actions/start'], ['POST', '/'], ['GET', '/v1/domains'], ['GET', '/v1/history'], ['DELETE', '/v1/domains/test']];
    const small = await flood(base, 9_980, 16, (i) => ({
      method: routes[i % routes.length]![0]!, path: routes[i % routes.length]![1]!, headers: i % 3 ? { authorization: 'Bearer not-a-token' } : ({} as Record<string, string>),
    }));
    const statuses = [...large, ...small].reduce((m, [s, n]) => m.set(s, (m.get(s) ?? 0) + n), new Map<number, number>());
    assert.deepEqual([...statuses.keys()].sort(), [401, 429], JSON.stringify([...statuses]));
    assert.ok(statuses.get(429)! > 9_900, `only ${statuses.get(429)} were rate limited`);
    const limited = await send(base, { method: 'GET', path: '/v1/domains' });
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.retryAfter) >= 1);
    const grown = dbBytes() - start;
    const reader = new Database(db, { readonly: true });
    const recorded = reader.prepare("SELECT count(*) FROM audit WHERE error_code = 'UNAUTHENTICATED'").pluck().get();
    reader.close();
    assert.equal(recorded, 20, 'only the burst of refusals is recorded, each as one row');
    console.log(`flood: 10,000 refused requests grew the database by ${grown} bytes; ${JSON.stringify([...statuses])}`);
    assert.ok(grown < 2 * MIB, `grew by ${grown} bytes`);
    const metrics = await send(base, { method: 'GET', path: '/metrics' });
    assert.match(metrics.text, /govirthost_auth_refusals_total\{outcome="rate_limited"\} \d{4,}/);
    const ok = await send(base, { method: 'GET', path: '/v1/domains', headers: { authorization: `Bearer ${admin}` } });
    assert.equal(ok.status, 200, 'a caller with a valid token is not limited by the flood');
  });

  test('after 60 bad 900 KiB requests from a valid caller, a 500-record history page is under 2 MB', async () => {
    const auth = { authorization: `Bearer ${admin}` };
    const junk = 'Z'.repeat(900 * 1024);
    const bodies = [
      JSON.stringify({ [junk]: 1 }),
      JSON.stringify({ xml: `<domain>${'\u0000'.repeat(150 * 1024)}</domain>` }),
      JSON.stringify({ domain: 'test', action: junk, target: '', createvmform: null }),
    ];
    const answers = await flood(base, 60, 4, (i) => ({ method: 'POST', path: i % 3 === 2 ? '/' : '/v1/domains', body: bodies[i % 3], headers: auth }));
    assert.deepEqual([...answers.keys()], [400], JSON.stringify([...answers]));
    const t0 = performance.now();
    const page = await send(base, { method: 'GET', path: '/v1/history?limit=500', headers: auth });
    const ms = performance.now() - t0;
    assert.equal(page.status, 200);
    console.log(`history: a 500-record page is ${page.bytes} bytes, read in ${ms.toFixed(1)} ms`);
    assert.ok(page.bytes < 2_000_000, `page is ${page.bytes} bytes`);
    const one = await send(base, { method: 'GET', path: '/v1/history?limit=1', headers: auth });
    assert.ok(one.bytes < 20 * 1024, `one bad request's record is ${one.bytes} bytes`);
  });
});
