/**
 * `npm run demo` (scripts/demo.sh) with --sandbox: it brings up its own sandbox libvirt host with
 * three tiny guests, the agent answers on the address given with the calls it prints, and a signal
 * stops the agent and removes the sandbox, leaving no directory and nothing listening.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exitWithin, freePort, httpRequest, killIfRunning, spawnCaptured, type Spawned } from '../support/process.ts';
import { sleep } from '../http/fixtures/http.ts';

describe('the demo', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gvh-demo-test-'));
  let demo: Spawned | undefined;
  after(async () => {
    if (demo && demo.proc.exitCode === null) {
      demo.proc.kill('SIGTERM');
      await exitWithin(demo, 60_000);
    }
    killIfRunning(demo);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('runs the agent against a sandbox with tiny guests, then removes everything on a signal', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    demo = spawnCaptured('bash', ['scripts/demo.sh', '--sandbox', '--listen', `127.0.0.1:${port}`], { env: { ...process.env, TMPDIR: tmp } });
    const until = Date.now() + 180_000;
    while (!demo.output().includes('Ctrl-C stops the agent') && Date.now() < until) {
      if (demo.proc.exitCode !== null) assert.fail(`the demo exited: ${demo.output()}`);
      await sleep(200);
    }
    const out = demo.output();
    assert.match(out, new RegExp(`curl -s -X GET -d '\\{"target":"vm","domain":""\\}' ${base}/`));
    assert.match(out, /curl -s .*\/v1\/domains/);
    const sandbox = /Sandbox and database: (\S+)/.exec(out)?.[1] ?? '';
    assert.ok(sandbox.startsWith(tmp) && fs.existsSync(sandbox), `sandbox dir ${sandbox}`);

    const vm = await httpRequest(base, 'GET', '/', '{"target":"vm","domain":""}');
    assert.equal(vm.status, 200, vm.text);
    const states = Object.fromEntries(JSON.parse(vm.text).domains.map((d: any) => [d.domain.Name, d.state]));
    assert.deepEqual(states, { 'demo-web': 'running', 'demo-db': 'running', 'demo-spare': 'shut off' });
    const started = await httpRequest(base, 'POST', '/', '{"domain":"demo-spare","action":"start","target":""}');
    assert.equal(JSON.parse(started.text).state, 'running', started.text);

    demo.proc.kill('SIGTERM');
    assert.deepEqual(await exitWithin(demo, 90_000), { code: 143, signal: null }, demo.output());
    assert.match(demo.output(), /stopped; removed /);
    assert.ok(!fs.existsSync(sandbox), 'the sandbox directory is gone');
    assert.deepEqual(fs.readdirSync(tmp).filter((f) => !f.startsWith('tsx-')), [], 'nothing but tsx\'s cache left in its TMPDIR');
    assert.equal(await httpRequest(base, 'GET', '/healthz').then(() => 'answered', () => 'refused'), 'refused');
  });
});
