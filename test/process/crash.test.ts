/**
 * The agent as a real process against the private libvirtd: SIGKILLed during a slow action, the next
 * start marks the record `interrupted`; SIGTERM exits 0 quickly; a bad setting exits non-zero naming it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hostEnv, openHost, removeDomain } from '../support/hosts.ts';
import { tinyGuestXml, uniqueName } from '../support/guest.ts';
import { sleep } from '../support/wait.ts';
import { freePort, spawnCaptured, type Spawned } from '../support/process.ts';

interface Agent extends Spawned { base: string }

function spawnAgent(args: string[], env: Record<string, string> = {}): Spawned {
  return spawnCaptured(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], { env: { ...process.env, ...env } });
}

/** Starts the agent on `db` and waits until it answers with libvirt connected. */
async function startAgent(db: string): Promise<Agent> {
  const port = await freePort();
  const agent = spawnAgent(['--libvirt-uri', hostEnv('GVH_A_URI'), '--db', db, '--listen', `127.0.0.1:${port}`, '--log-level', 'warn', '--request-timeout', '120']);
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (agent.proc.exitCode !== null) throw new Error(`agent exited: ${agent.output()}`);
    const res = await fetch(`${base}/v1/domains`).catch(() => null);
    if (res?.status === 200) return { ...agent, base };
    await sleep(100);
  }
  agent.proc.kill('SIGKILL');
  throw new Error(`agent did not become ready: ${agent.output()}`);
}

async function api(agent: Agent, method: string, p: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${agent.base}${p}`, { method, ...(body !== undefined && { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });
  return { status: res.status, body: await res.json() };
}

describe('the agent process', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gvh-crash-'));
  const db = path.join(dir, 'agent.db');
  const name = uniqueName('crash');
  const started: ChildProcess[] = [];
  let agent: Agent;
  let pendingId: number;

  before(async () => {
    agent = await startAgent(db);
    started.push(agent.proc);
  });
  after(async () => {
    for (const p of started) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    const lv = await openHost('GVH_A_URI');
    await removeDomain(lv, name);
    await lv.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('SIGKILL during shutdown {wait: 60} leaves a running record', async () => {
    const created = await api(agent, 'POST', '/v1/domains', { xml: tinyGuestXml(name), start: true });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.state, 'running');
    const slow = fetch(`${agent.base}/v1/domains/${name}/actions/shutdown`, { method: 'POST', body: '{"wait": 60}' }).then(() => 'answered', () => 'dropped');
    let pending: any[] = [];
    for (let i = 0; i < 50 && pending.length === 0; i++) {
      await sleep(100);
      pending = (await api(agent, 'GET', `/v1/history?domain=${name}&action=shutdown&outcome=running`)).body.records;
    }
    assert.equal(pending.length, 1, 'the shutdown is running while it waits');
    pendingId = pending[0].id;
    agent.proc.kill('SIGKILL');
    assert.deepEqual(await agent.exited, { code: null, signal: 'SIGKILL' });
    assert.equal(await slow, 'dropped');
  });

  test('the next start on the same database marks it interrupted', async () => {
    agent = await startAgent(db);
    started.push(agent.proc);
    const rec = await api(agent, 'GET', `/v1/history/${pendingId}`);
    assert.equal(rec.status, 200);
    assert.deepEqual([rec.body.outcome, rec.body.action, rec.body.domain, rec.body.errorCode], ['interrupted', 'shutdown', name, 'INTERRUPTED']);
    assert.deepEqual(rec.body.params, { wait: 60, domain: name });
    assert.ok(rec.body.finishedAt >= rec.body.receivedAt);
    assert.equal(rec.body.httpStatus, null);
    assert.deepEqual((await api(agent, 'GET', '/v1/history?outcome=pending')).body.records, []);
    assert.deepEqual((await api(agent, 'GET', '/v1/history?outcome=running')).body.records, []);
    const create = (await api(agent, 'GET', `/v1/history?action=create`)).body.records;
    assert.equal(create[0]?.outcome, 'succeeded', 'earlier records survive the kill');
  });

  test('the guest is still running; destroy and undefine it through the agent', async () => {
    assert.equal((await api(agent, 'GET', `/v1/domains/${name}`)).body.state, 'running');
    const d = await api(agent, 'POST', `/v1/domains/${name}/actions/destroy`);
    assert.deepEqual([d.status, d.body.state], [200, 'shut off']);
    const u = await api(agent, 'DELETE', `/v1/domains/${name}`);
    assert.deepEqual([u.status, u.body.state], [200, 'undefined']);
  });

  test('SIGTERM: exits 0 quickly', async () => {
    const t0 = performance.now();
    agent.proc.kill('SIGTERM');
    const result = await Promise.race([agent.exited, sleep(8_000).then(() => null)]);
    assert.deepEqual(result, { code: 0, signal: null }, agent.output());
    assert.ok(performance.now() - t0 < 5_000, `took ${performance.now() - t0} ms`);
  });

  test('a bad setting exits non-zero with a message naming it', async () => {
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [['--listen', 'nowhere'], {}, /--listen/],
      [['--listen', '127.0.0.1:99999'], {}, /--listen/],
      [['--listen', '0.0.0.0:8080'], {}, /--tokens-file/],
      [['--body-limit', 'lots'], {}, /--body-limit/],
      [[], { GOVIRTHOST_LOG_LEVEL: 'loud' }, /GOVIRTHOST_LOG_LEVEL/],
      [['--no-such-flag'], {}, /--no-such-flag/],
    ];
    for (const [args, env, pattern] of cases) {
      const run = spawnAgent(['--db', db, ...args], env);
      started.push(run.proc);
      const result = await Promise.race([run.exited, sleep(15_000).then(() => null)]);
      assert.ok(result, `still running with ${args.join(' ')}`);
      assert.notEqual(result.code, 0, `${args.join(' ')} exited 0`);
      assert.match(run.output(), pattern);
    }
  });
});
