/**
 * Readiness: /readyz against the private libvirtd turns unready (503, naming the libvirt check) when
 * the daemon is killed and ready again once it is back; the database check fails on a read-only or
 * closed database; a hanging or throwing check fails with its reason; once shutdown has begun the
 * agent is unready and refuses actions with 503 SHUTTING_DOWN, audited as rejected. /healthz answers throughout.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { databaseCheck, evaluateReadiness, snapshotAgeCheck } from '../../src/ops/readiness.ts';
import { openDatabase } from '../../src/store/db.ts';
import { upgradeSchema } from '../../src/store/schema.ts';
import { buildTestApp, type TestApp } from '../support/app.ts';
import { hostsCommand } from '../support/hosts.ts';
import { call } from '../support/http.ts';
import { sleep } from '../support/wait.ts';

/** Polls /readyz until its status is `status`; returns that answer's body. */
async function readyzUntil(t: TestApp, status: number, timeoutMs = 60_000): Promise<any> {
  const until = Date.now() + timeoutMs;
  let last: Awaited<ReturnType<typeof call>> | null = null;
  while (Date.now() < until) {
    last = await call(t, 'GET', '/readyz');
    if (last.status === status) return last.body;
    await sleep(100);
  }
  assert.fail(`/readyz stayed ${last?.status}: ${last?.text}`);
}

const check = (body: any, name: string) => body.checks.find((c: { name: string }) => c.name === name);

describe('/readyz follows libvirt', () => {
  let t: TestApp;
  before(async () => { t = await buildTestApp({ uriVar: 'GVH_A_URI', withOps: {} }); });
  after(async () => {
    await hostsCommand('start-daemon', 'a').catch(() => {}); // never leave the shared host without its daemon
    await t.close();
  });

  test('ready while libvirt answers and the database is writable', async () => {
    const body = await readyzUntil(t, 200, 10_000);
    assert.equal(body.status, 'ready');
    assert.deepEqual(body.checks.map((c: { name: string; ok: boolean }) => [c.name, c.ok]), [['shutdown', true], ['libvirt', true], ['database', true]]);
  });

  test('unready with the reason once libvirtd is killed; /healthz still answers', async () => {
    await hostsCommand('kill-daemon', 'a');
    const body = await readyzUntil(t, 503, 30_000);
    assert.equal(body.status, 'unready');
    assert.equal(check(body, 'libvirt').ok, false);
    assert.match(check(body, 'libvirt').detail, /reconnecting|closed|not connected|connecting/);
    assert.equal(check(body, 'database').ok, true, 'only libvirt is the problem');
    assert.equal((await call(t, 'GET', '/healthz')).status, 200);
  });

  test('ready again once libvirtd is back', async () => {
    await hostsCommand('start-daemon', 'a');
    const body = await readyzUntil(t, 200, 60_000);
    assert.equal(check(body, 'libvirt').ok, true);
  });
});

describe('readiness checks', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gvh-ready-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('database: writable when open read-write; not when read-only or closed', async () => {
    const file = path.join(dir, 'a.db');
    const db = openDatabase(file);
    upgradeSchema(db);
    const before = db.pragma('user_version', { simple: true });
    assert.deepEqual(await databaseCheck(db).run(), { ok: true, detail: `${file} is writable` });
    assert.deepEqual(db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name = 'readiness_probe'").get(), { n: 0 }, 'the probe write is rolled back');
    assert.equal(db.pragma('user_version', { simple: true }), before);
    const readonly = new BetterSqlite3(file, { readonly: true });
    assert.equal((await databaseCheck(readonly).run()).ok, false);
    readonly.close();
    db.close();
    assert.deepEqual(await databaseCheck(db).run(), { ok: false, detail: 'the database is closed' });
  });

  test('database: not writable while another connection holds the write lock, without stalling', async () => {
    const file = path.join(dir, 'b.db');
    const db = openDatabase(file);
    const other = new BetterSqlite3(file);
    other.exec('BEGIN IMMEDIATE');
    const t0 = performance.now();
    const result = await evaluateReadiness([databaseCheck(db)]);
    assert.equal(result.ready, false);
    assert.match(result.checks[0]!.detail, /locked|busy/i);
    assert.ok(performance.now() - t0 < 3_000, 'the check gives up quickly instead of waiting the full busy timeout');
    other.exec('ROLLBACK');
    assert.equal((await evaluateReadiness([databaseCheck(db)])).ready, true);
    other.close();
    db.close();
  });

  test('a check that throws or hangs fails with its reason; the others still report', async () => {
    const result = await evaluateReadiness([
      { name: 'fine', run: () => ({ ok: true, detail: 'yes' }) },
      { name: 'throws', run: () => { throw new Error('boom'); } },
      { name: 'hangs', run: () => new Promise(() => {}) },
    ], 200);
    assert.equal(result.ready, false);
    assert.deepEqual(result.checks, [
      { name: 'fine', ok: true, detail: 'yes' },
      { name: 'throws', ok: false, detail: 'boom' },
      { name: 'hangs', ok: false, detail: 'no answer within 200 ms' },
    ]);
    assert.deepEqual(await evaluateReadiness([]), { ready: true, checks: [] });
  });
});

describe('once shutdown has begun', () => {
  let stopping = false;
  let t: TestApp;
  before(async () => { t = await buildTestApp({ withOps: { stopping: () => stopping } }); });
  after(async () => { await t.close(); });

  test('/readyz is unready, actions get 503 SHUTTING_DOWN (audited as rejected), connections close', async () => {
    assert.equal((await call(t, 'GET', '/readyz')).status, 200);
    stopping = true;
    const ready = await call(t, 'GET', '/readyz');
    assert.equal(ready.status, 503);
    assert.deepEqual(check(ready.body, 'shutdown'), { name: 'shutdown', ok: false, detail: 'the agent is shutting down' });
    const refused = await call(t, 'POST', '/v1/domains/test/actions/suspend', undefined, { 'x-request-id': 'refused-while-stopping' });
    assert.equal(refused.status, 503);
    assert.equal(refused.body.error.code, 'SHUTTING_DOWN');
    assert.equal(refused.headers.get('connection'), 'close');
    const rec = t.deps.audit.get(refused.body.error.auditId);
    assert.deepEqual([rec?.outcome, rec?.errorCode, rec?.action, rec?.domain], ['rejected', 'SHUTTING_DOWN', 'suspend', 'test']);
    assert.equal((await call(t, 'GET', '/v1/domains')).body.error.code, 'SHUTTING_DOWN');
    assert.equal((await call(t, 'GET', '/healthz')).status, 200);
    assert.equal((await t.deps.libvirt.domainState(await t.deps.libvirt.lookupDomain('test'))).stateText, 'running', 'nothing ran');
  });
});

describe('snapshot age check', () => {
  test('unready without a snapshot or with one older than the bound; ready within it', async () => {
    let takenAt: number | null = null;
    let now = 1_000_000;
    const check = snapshotAgeCheck(() => takenAt, () => now, 300_000);
    assert.deepEqual(await check.run(), { ok: false, detail: 'no inventory snapshot yet' });
    takenAt = now - 120_000;
    assert.equal((await check.run()).ok, true);
    now += 200_000;
    const stale = await check.run();
    assert.equal(stale.ok, false);
    assert.match(stale.detail, /320 s old, more than 300 s/);
  });
});
