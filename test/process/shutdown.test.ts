/**
 * Graceful shutdown of the agent as a process, on a tiny QEMU guest that ignores ACPI (so
 * `shutdown {wait}` runs for its whole wait): SIGTERM during the action lets it finish within the
 * deadline, answers its caller, completes its audit record and exits 0; with a deadline shorter than
 * the action, the record is closed as interrupted saying why, and the agent still exits 0.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteAuditStore } from '../../src/store/audit.ts';
import { openDatabase } from '../../src/store/db.ts';
import type { AuditRecord } from '../../src/model/audit.ts';
import type { Libvirt } from '../../src/libvirt/index.ts';
import { hostEnv, openHost, removeDomain } from '../support/hosts.ts';
import { tinyGuestXml, uniqueName } from '../support/guest.ts';
import { exitWithin, freePort, killIfRunning, spawnAgentFromSource, waitForStatus, type Spawned } from '../support/process.ts';
import { sleep } from '../support/wait.ts';

interface Running { agent: Spawned; base: string }

async function start(db: string, shutdownTimeout: number): Promise<Running> {
  const port = await freePort();
  const agent = spawnAgentFromSource(['--libvirt-uri', hostEnv('GVH_A_URI'), '--db', db, '--listen', `127.0.0.1:${port}`,
    '--request-timeout', '120', '--shutdown-timeout', String(shutdownTimeout)]);
  const base = `http://127.0.0.1:${port}`;
  await waitForStatus(agent, `${base}/readyz`, 200, 60_000);
  return { agent, base };
}

/** Polls the history until the domain's shutdown is running; returns its audit id. */
async function pendingShutdown(r: Running, domain: string): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const res = await fetch(`${r.base}/v1/history?domain=${domain}&action=shutdown&outcome=running`);
    const records = ((await res.json()) as { records: Array<{ id: number }> }).records;
    if (records[0]) return records[0].id;
    await sleep(100);
  }
  throw new Error(`no running shutdown: ${r.agent.output()}`);
}

function readRecord(db: string, id: number): AuditRecord | null {
  const handle = openDatabase(db);
  try {
    return new SqliteAuditStore(handle).get(id);
  } finally {
    handle.close();
  }
}

function logLines(agent: Spawned): Array<Record<string, unknown>> {
  return agent.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('SIGTERM during a slow action', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gvh-shutdown-'));
  const name = uniqueName('shut');
  const agents: Spawned[] = [];
  let lv: Libvirt;

  before(async () => {
    lv = await openHost('GVH_A_URI');
    await lv.start(await lv.defineXml(tinyGuestXml(name)));
  });
  after(async () => {
    for (const a of agents) killIfRunning(a);
    await removeDomain(lv, name);
    await lv.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('within the deadline: the action finishes, its caller gets the answer, the record is complete, exit 0', async () => {
    const db = path.join(dir, 'drain.db');
    const r = await start(db, 30);
    agents.push(r.agent);
    const answer = fetch(`${r.base}/v1/domains/${name}/actions/shutdown`, { method: 'POST', body: '{"wait": 5}' })
      .then(async (res) => ({ status: res.status, body: await res.json() as Record<string, unknown> }));
    const id = await pendingShutdown(r, name);
    const signalled = performance.now();
    r.agent.proc.kill('SIGTERM');
    await sleep(500);
    const late = await fetch(`${r.base}/v1/domains`).then((res) => res.status, () => 'refused');
    assert.ok(late === 'refused' || late === 503, `a request after SIGTERM must not be served (got ${late})`);
    const { status, body } = await answer;
    assert.equal(status, 200, JSON.stringify(body));
    assert.deepEqual([body.shutdown, body.state, body.auditId], ['still-running', 'running', id]);
    assert.deepEqual(await exitWithin(r.agent, 30_000), { code: 0, signal: null }, r.agent.output());
    assert.ok(performance.now() - signalled >= 3_000, 'the agent waited for the action');
    const rec = readRecord(db, id);
    assert.deepEqual([rec?.outcome, rec?.httpStatus, rec?.errorCode], ['succeeded', 200, null]);
    assert.equal(rec?.result?.shutdown, 'still-running');
    assert.ok((rec?.durationMs ?? 0) >= 4_000, `the record covers the whole wait (${rec?.durationMs} ms)`);
    const stopped = logLines(r.agent).find((l) => l.msg === 'stopped');
    assert.deepEqual([stopped?.drained, stopped?.interrupted], [true, 0]);
  });

  test('past the deadline: the record is closed as interrupted, saying so, and the agent exits 0', async () => {
    const db = path.join(dir, 'deadline.db');
    const r = await start(db, 1);
    agents.push(r.agent);
    const answer = fetch(`${r.base}/v1/domains/${name}/actions/shutdown`, { method: 'POST', body: '{"wait": 60}' })
      .then((res) => res.status, () => 'dropped');
    const id = await pendingShutdown(r, name);
    r.agent.proc.kill('SIGTERM');
    assert.deepEqual(await exitWithin(r.agent, 30_000), { code: 0, signal: null }, r.agent.output());
    assert.notEqual(await answer, 200, 'the action did not complete');
    const rec = readRecord(db, id);
    assert.deepEqual([rec?.outcome, rec?.errorCode], ['interrupted', 'INTERRUPTED']);
    assert.match(rec?.errorMessage ?? '', /shut down before the action ended \(shutdown deadline of 1 s passed\)/);
    assert.ok(rec?.finishedAt && rec.finishedAt >= rec.receivedAt);
    const warned = logLines(r.agent).find((l) => l.msg === 'shutdown deadline passed; their audit records are closed as interrupted');
    assert.deepEqual(warned?.left, [{ action: 'shutdown', requestId: rec?.requestId, auditId: id }]);
    assert.equal((await lv.domainState(await lv.lookupDomain(name))).stateText, 'running', 'the guest is untouched');
  });
});
