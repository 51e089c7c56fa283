/**
 * The deploy bundle (wrangler-free-deploy/build.ts) built, copied to a directory outside the
 * repository with no node_modules anywhere above it, and started there with plain `node`: it answers
 * the seed protocol against the private libvirtd, runs an audited action (so the native SQLite addon
 * and the embedded migrations work), makes tokens, and exits 0 on SIGTERM. Reports its size, the time
 * from spawn to the first answer, and its idle RSS.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ADDON, DEPLOY_FILES, SCRIPT, buildBundle } from '../../wrangler-free-deploy/build.ts';
import { openDatabase } from '../../src/store/db.ts';
import { loadMigrations, readUserVersion } from '../../src/store/schema.ts';
import type { Libvirt } from '../../src/libvirt/index.ts';
import { hostEnv, openHost, removeDomain } from '../support/hosts.ts';
import { tinyGuestXml, uniqueName } from '../support/guest.ts';
import { REPO_ROOT, exitWithin, freePort, httpRequest, killIfRunning, spawnCaptured, type Spawned } from '../support/process.ts';
import { sleep } from '../support/wait.ts';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'gvh-bundle-'));
const runDir = path.join(work, 'elsewhere', 'govirthost');

/** The environment of a host that has only Node: no NODE_PATH, no npm variables. */
function bareEnv(): NodeJS.ProcessEnv {
  return { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: work, LANG: 'C.UTF-8' };
}

function runBundle(args: string[]): Spawned {
  return spawnCaptured(process.execPath, [SCRIPT, ...args], { cwd: runDir, env: bareEnv() });
}

async function seed(base: string, method: string, body: unknown): Promise<{ status: number; body: any }> {
  const { status, text } = await httpRequest(base, method, '/', JSON.stringify(body));
  return { status, body: JSON.parse(text) };
}

describe('the deploy bundle', () => {
  const name = uniqueName('bundle');
  let agent: Spawned | undefined;
  let lv: Libvirt;
  let sizes: { script: number; addon: number };

  before(async () => {
    const built = await buildBundle(path.join(work, 'dist', 'govirthost'));
    sizes = built.sizes;
    fs.cpSync(built.dir, runDir, { recursive: true });
    lv = await openHost('GVH_A_URI');
    await lv.defineXml(tinyGuestXml(name));
  });
  after(async () => {
    killIfRunning(agent);
    await removeDomain(lv, name);
    await lv.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  test('is one script, the native addon, a manifest and the deploy files, all outside the repository', () => {
    assert.ok(path.relative(REPO_ROOT, runDir).startsWith(`..${path.sep}`), 'the run directory is outside the repository');
    for (let dir = runDir; dir !== path.dirname(dir); dir = path.dirname(dir)) {
      assert.ok(!fs.existsSync(path.join(dir, 'node_modules')), `no node_modules at ${dir}`);
    }
    assert.deepEqual(fs.readdirSync(runDir).sort(), [SCRIPT, ADDON, 'manifest.json', ...DEPLOY_FILES].sort());
    const manifest = JSON.parse(fs.readFileSync(path.join(runDir, 'manifest.json'), 'utf8'));
    assert.equal(manifest.nodeAbi, process.versions.modules);
    for (const [file, sum] of Object.entries(manifest.files)) {
      assert.equal(createHash('sha256').update(fs.readFileSync(path.join(runDir, file))).digest('hex'), sum, file);
    }
    assert.ok(sizes.script < 4 * 1024 * 1024, `script is ${sizes.script} bytes`);
  });

  test('runs with plain node: version and token subcommands', async () => {
    const version = runBundle(['--version']);
    assert.deepEqual(await exitWithin(version, 30_000), { code: 0, signal: null });
    assert.match(version.output(), /^govirthost \d+\.\d+\.\d+ \(node 20\./);
    const token = runBundle(['token', 'create', '--name', 'ops', '--role', 'viewer', '--tokens-file', path.join(work, 'tokens.json')]);
    assert.deepEqual(await exitWithin(token, 30_000), { code: 0, signal: null });
    assert.match(token.output(), /^gvh_[A-Za-z0-9_-]{43}\n/);
  });

  test('answers the seed protocol against the private libvirtd and runs an audited action', async (t) => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const db = path.join(work, 'state', 'agent.db');
    const spawnedAt = performance.now();
    agent = runBundle(['--libvirt-uri', hostEnv('GVH_A_URI'), '--db', db, '--listen', `127.0.0.1:${port}`, '--log-level', 'warn']);
    let first: { status: number; body: any } | null = null;
    while (!first && performance.now() - spawnedAt < 60_000) {
      if (agent.proc.exitCode !== null) assert.fail(`the bundle exited: ${agent.output()}`);
      first = await seed(base, 'GET', { target: 'vm', domain: '' }).then((a) => (a.status === 200 ? a : null), () => null);
      if (!first) await sleep(20);
    }
    const startupMs = performance.now() - spawnedAt;
    assert.ok(first, `no answer: ${agent.output()}`);
    const listed = first.body.domains.find((d: any) => d.domain.Name === name);
    assert.deepEqual([listed?.state, listed?.domain.UUID.length], ['shut off', 16]);
    const started = await seed(base, 'POST', { domain: name, action: 'start', target: '' });
    assert.deepEqual([started.status, started.body.state], [200, 'running'], JSON.stringify(started.body));
    const destroyed = await seed(base, 'POST', { domain: name, action: 'destroy', target: '' });
    assert.deepEqual([destroyed.status, destroyed.body.state], [200, 'shut off']);
    const history = await fetch(`${base}/v1/history?domain=${name}`).then((r) => r.json()) as { records: Array<{ action: string; outcome: string }> };
    assert.deepEqual(history.records.map((r) => [r.action, r.outcome]), [['destroy', 'succeeded'], ['start', 'succeeded']]);
    await sleep(2_000);
    const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${agent.proc.pid}/status`, 'utf8'))?.[1]);
    const report = `bundle: ${SCRIPT} ${(sizes.script / 1024).toFixed(0)} KiB + ${ADDON} ${(sizes.addon / 1024).toFixed(0)} KiB; `
      + `spawn to first seed answer ${startupMs.toFixed(0)} ms; idle RSS ${(rssKiB / 1024).toFixed(1)} MiB`;
    t.diagnostic(report);
    process.stderr.write(`${report}\n`);
    assert.ok(rssKiB > 0 && rssKiB < 200 * 1024, `idle RSS ${rssKiB} KiB`);
    agent.proc.kill('SIGTERM');
    assert.deepEqual(await exitWithin(agent, 30_000), { code: 0, signal: null }, agent.output());
    const handle = openDatabase(db);
    try {
      assert.equal(readUserVersion(handle), loadMigrations().length, 'the embedded migrations were applied');
    } finally {
      handle.close();
    }
  });
});
