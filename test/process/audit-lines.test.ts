/**
 * The audit trail for a log pipeline, with the agent as a process: one schema-valid JSON line on
 * stdout per finished record, in the order they finished; and `/v1/history?after=SEQ` pulled across
 * a restart misses and repeats nothing, while the restarted agent's lines go on where they stopped.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import * as v from 'valibot';
import { AUDIT_LINE_SCHEMA, AuditLine } from '../../src/model/audit-line.ts';
import { hostEnv } from '../support/hosts.ts';
import { freePort, spawnAgentFromSource, waitForStatus, type Spawned } from '../support/process.ts';
import { waitUntil } from '../support/wait.ts';

interface Agent extends Spawned { base: string }

async function startAgent(db: string, extra: string[] = []): Promise<Agent> {
  const port = await freePort();
  const agent = spawnAgentFromSource(['--listen', `127.0.0.1:${port}`, '--log-level', 'warn', '--libvirt-uri', hostEnv('GVH_A_TEST_URI'), '--db', db, ...extra]);
  const base = `http://127.0.0.1:${port}`;
  await waitForStatus(agent, `${base}/healthz`);
  return { ...agent, base };
}

/** The audit lines an agent wrote so far, parsed. */
const linesOf = (agent: Agent) => agent.output().split('\n').filter((l) => l.includes(`"schema":"${AUDIT_LINE_SCHEMA}"`)).map((l) => JSON.parse(l) as Record<string, unknown>);

const post = (agent: Agent, p: string, body = '{}') => fetch(`${agent.base}${p}`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });

/** A few records: two that succeed, one refused by validation, one not found. */
async function someActions(agent: Agent): Promise<void> {
  assert.equal((await post(agent, '/v1/domains/test/actions/suspend')).status, 200);
  assert.equal((await post(agent, '/v1/domains/test/actions/resume')).status, 200);
  assert.equal((await post(agent, '/v1/domains/test/actions/shutdown', '{"wait": "soon"}')).status, 400);
  assert.equal((await post(agent, '/v1/domains/no-such-guest/actions/start')).status, 404);
}

/** Pulls every finished record after `after`, page by page. */
async function pull(agent: Agent, after: number): Promise<{ records: Array<{ id: number; seq: number }>; next: number }> {
  const records: Array<{ id: number; seq: number }> = [];
  let next = after;
  for (;;) {
    const page = (await (await fetch(`${agent.base}/v1/history?after=${next}&limit=2`)).json()) as { records: Array<{ id: number; seq: number }>; nextAfter: number };
    records.push(...page.records);
    if (page.records.length === 0) return { records, next };
    next = page.nextAfter;
  }
}

describe('the audit trail for a log pipeline', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gvh-lines-'));
  const db = path.join(dir, 'agent.db');
  const agents: Agent[] = [];
  after(() => {
    for (const a of agents) if (a.proc.exitCode === null && a.proc.signalCode === null) a.proc.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  let collected: Array<{ id: number; seq: number }> = [];
  let cursor = 0;

  test('one schema-valid line per finished record, in finishing order', async () => {
    const agent = await startAgent(db);
    agents.push(agent);
    await someActions(agent);
    await waitUntil(() => linesOf(agent).length >= 4, 5_000);
    const lines = linesOf(agent);
    for (const line of lines) assert.ok(v.safeParse(AuditLine, line).success, JSON.stringify(v.safeParse(AuditLine, line).issues ?? line));
    assert.deepEqual(lines.map((l) => [l.action, l.outcome]), [['suspend', 'succeeded'], ['resume', 'succeeded'], ['shutdown', 'rejected'], ['start', 'failed']]);
    assert.deepEqual(lines.map((l) => l.seq), [1, 2, 3, 4]);
    assert.ok(lines.every((l) => l.host === os.hostname() && typeof l.agentVersion === 'string'));
    const pulled = await pull(agent, 0);
    assert.deepEqual(pulled.records.map((r) => r.id), lines.map((l) => l.id), 'the pull and the lines agree');
    collected = pulled.records;
    cursor = pulled.next;
    agent.proc.kill('SIGTERM');
    assert.deepEqual(await agent.exited, { code: 0, signal: null });
  });

  test('after a restart, the pull from its cursor and the new lines hold exactly the new records', async () => {
    const agent = await startAgent(db);
    agents.push(agent);
    await someActions(agent);
    await waitUntil(() => linesOf(agent).length >= 4, 5_000);
    const pulled = await pull(agent, cursor);
    assert.equal(pulled.records.length, 4);
    const all = [...collected, ...pulled.records];
    assert.equal(new Set(all.map((r) => r.id)).size, 8, 'no record twice');
    assert.deepEqual(all.map((r) => r.seq), [1, 2, 3, 4, 5, 6, 7, 8], 'none missed');
    assert.deepEqual(linesOf(agent).map((l) => l.seq), [5, 6, 7, 8], 'the lines go on where they stopped');
    const both = await fetch(`${agent.base}/v1/history?after=0&cursor=5`);
    assert.equal(both.status, 400);
  });

  test('with --otlp-logs-endpoint, each finished record also reaches an OTLP/HTTP collector as a log record', async () => {
    const received: Array<{ body: string; attributes: Record<string, unknown>; resource: Record<string, unknown> }> = [];
    const collector = http.createServer((req, res) => {
      let text = '';
      req.on('data', (c) => { text += c; });
      req.on('end', () => {
        const payload = JSON.parse(text) as { resourceLogs: Array<{ resource: { attributes: Kv[] }; scopeLogs: Array<{ logRecords: Array<{ body: { stringValue: string }; attributes: Kv[] }> }> }> };
        for (const rl of payload.resourceLogs) for (const sl of rl.scopeLogs) for (const lr of sl.logRecords) {
          received.push({ body: lr.body.stringValue, attributes: flat(lr.attributes), resource: flat(rl.resource.attributes) });
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(collector.address() as { port: number }).port}/v1/logs`;
    try {
      const agent = await startAgent(db, ['--otlp-logs-endpoint', url]);
      agents.push(agent);
      await someActions(agent);
      await waitUntil(() => received.length >= 4, 10_000);
      assert.deepEqual(received.map((r) => [r.attributes['govirthost.action'], r.attributes['govirthost.outcome']]),
        [['suspend', 'succeeded'], ['resume', 'succeeded'], ['shutdown', 'rejected'], ['start', 'failed']]);
      assert.equal(received[0]!.resource['service.name'], 'govirthost');
      assert.equal(received[0]!.resource['host.name'], os.hostname());
      assert.match(received[3]!.body, /start no-such-guest: failed/);
      assert.equal(linesOf(agent).length, 4, 'the lines on stdout go on as well');
    } finally {
      collector.close();
    }
  });
});

type Kv = { key: string; value: Record<string, unknown> };
/** OTLP key-value attributes as a plain object (each value's one field). */
const flat = (kvs: Kv[]) => Object.fromEntries(kvs.map((kv) => [kv.key, Object.values(kv.value)[0]]));
