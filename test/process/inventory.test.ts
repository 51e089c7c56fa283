/**
 * The agent as a real process: a snapshot at start and on its schedule; SIGTERM with an event
 * stream open ends the stream and exits 0 quickly; restarted on the same database with libvirt
 * unreachable, it answers from the stored snapshot at once and says so.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hostEnv } from '../support/hosts.ts';
import { freePort, spawnAgentFromSource, waitForStatus, type Spawned } from '../support/process.ts';
import { waitUntil } from '../support/wait.ts';
import { SseReader } from '../support/sse.ts';

interface Agent extends Spawned { base: string }

async function startAgent(args: string[]): Promise<Agent> {
  const port = await freePort();
  const agent = spawnAgentFromSource(['--listen', `127.0.0.1:${port}`, '--log-level', 'warn', ...args]);
  const base = `http://127.0.0.1:${port}`;
  await waitForStatus(agent, `${base}/healthz`);
  return { ...agent, base };
}

async function get(agent: Agent, p: string): Promise<{ status: number; headers: Headers; body: any }> {
  const res = await fetch(`${agent.base}${p}`);
  return { status: res.status, headers: res.headers, body: await res.json() };
}

describe('the agent process and its inventory', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gvh-inv-'));
  const db = path.join(dir, 'agent.db');
  const agents: Agent[] = [];
  after(() => {
    for (const a of agents) if (a.proc.exitCode === null && a.proc.signalCode === null) a.proc.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a snapshot at start, then on the schedule; SIGTERM with an open event stream exits 0 quickly', async () => {
    const agent = await startAgent(['--libvirt-uri', hostEnv('GVH_A_TEST_URI'), '--db', db, '--snapshot-schedule', '* * * * * *']);
    agents.push(agent);
    await waitUntil(async () => (await get(agent, '/v1/snapshots')).body.snapshots.filter((s: any) => s.ok).length >= 3, 20_000);
    const snap = (await get(agent, '/v1/snapshots?limit=1&domains=true')).body.snapshots[0];
    assert.ok(snap.domains.some((d: any) => d.name === 'test'), JSON.stringify(snap));
    const res = await fetch(`${agent.base}/v1/events`);
    const sse = new SseReader(res.body!);
    const t0 = performance.now();
    agent.proc.kill('SIGTERM');
    await sse.waitEnded(8_000);
    const result = await Promise.race([agent.exited, new Promise((r) => setTimeout(() => r(null), 8_000))]);
    assert.deepEqual(result, { code: 0, signal: null }, agent.output());
    assert.ok(performance.now() - t0 < 5_000, `took ${performance.now() - t0} ms`);
  });

  test('restarted with libvirt unreachable: answers from the stored snapshot at once, marked cached', async () => {
    const agent = await startAgent(['--libvirt-uri', `qemu+unix:///system?socket=${path.join(dir, 'no-such-socket')}`, '--db', db]);
    agents.push(agent);
    const stored = (await get(agent, '/v1/snapshots?limit=50')).body.snapshots.find((s: any) => s.ok);
    const list = await get(agent, '/v1/domains');
    assert.equal(list.status, 200, JSON.stringify(list.body));
    assert.deepEqual([list.headers.get('x-data-source'), list.body.source, list.body.takenAt], ['cached', 'cached', stored.takenAt]);
    assert.ok(list.body.domains.some((d: any) => d.name === 'test'));
    assert.ok(Number(list.headers.get('age')) >= 0);
    assert.equal((await get(agent, '/v1/domains?source=fresh')).status, 503);
    agent.proc.kill('SIGTERM');
    assert.deepEqual(await agent.exited, { code: 0, signal: null });
  });
});
