/**
 * `npm run demo` (scripts/demo.sh) with --sandbox, as on a machine without KVM: the KVM probe's
 * device knob points at a missing path, so it brings up its own sandbox libvirt host with three tiny
 * TCG guests and says so; the agent answers on the address given with the calls it prints; Ctrl-C
 * stops the agent and removes the sandbox, leaving no directory, nothing listening, nothing new in
 * /dev and nothing at the device path.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exitWithin, freePort, httpRequest, killIfRunning, spawnCaptured, type Spawned } from '../support/process.ts';
import { sleep } from '../support/wait.ts';
import { devEntries } from '../support/traces.ts';

describe('the demo', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gvh-d')); // short: the sandbox's socket path must fit in 107 characters
  let demo: Spawned | undefined;
  after(async () => {
    if (demo && demo.proc.exitCode === null) {
      demo.proc.kill('SIGTERM');
      await exitWithin(demo, 60_000);
    }
    killIfRunning(demo);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('without KVM: TCG guests, said so; the agent serves them; Ctrl-C leaves no trace', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const noKvm = path.join(tmp, 'no-kvm');
    const devBefore = devEntries();
    const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: tmp, GVH_KVM_DEVICE: noKvm };
    delete env.GVH_FORCE_VIRT_TYPE;
    demo = spawnCaptured('bash', ['scripts/demo.sh', '--sandbox', '--listen', `127.0.0.1:${port}`], { env, detached: true });
    const until = Date.now() + 180_000;
    while (!demo.output().includes('Ctrl-C stops the agent') && Date.now() < until) {
      if (demo.proc.exitCode !== null) assert.fail(`the demo exited: ${demo.output()}`);
      await sleep(200);
    }
    const out = demo.output();
    assert.match(out, new RegExp(`^Guests: TCG \\(type qemu, QEMU's software emulation, slower; ${noKvm} is missing\\)$`, 'm'));
    assert.match(out, new RegExp(`curl -s -X GET -d '\\{"target":"vm","domain":""\\}' ${base}/`));
    assert.match(out, /curl -s .*\/v1\/domains/);
    const sandbox = /Sandbox and database: (\S+)/.exec(out)?.[1] ?? '';
    assert.ok(sandbox.startsWith(tmp) && fs.existsSync(sandbox), `sandbox dir ${sandbox}`);

    const vm = await httpRequest(base, 'GET', '/', '{"target":"vm","domain":""}');
    assert.equal(vm.status, 200, vm.text);
    const states = Object.fromEntries(JSON.parse(vm.text).domains.map((d: any) => [d.domain.Name, d.state]));
    assert.deepEqual(states, { 'demo-web': 'running', 'demo-db': 'running', 'demo-spare': 'shut off' });
    const xml = await httpRequest(base, 'GET', '/?target=xml&domain=demo-web');
    assert.match(xml.text, /^<domain type='qemu' id='\d+'>/, xml.text.slice(0, 80));
    const started = await httpRequest(base, 'POST', '/', '{"domain":"demo-spare","action":"start","target":""}');
    assert.equal(JSON.parse(started.text).state, 'running', started.text);

    process.kill(-demo.proc.pid!, 'SIGINT'); // Ctrl-C: the terminal signals the whole process group
    assert.deepEqual(await exitWithin(demo, 90_000), { code: 130, signal: null }, demo.output());
    assert.match(demo.output(), /stopped; removed /);
    assert.ok(!fs.existsSync(sandbox), 'the sandbox directory is gone');
    assert.deepEqual(fs.readdirSync(tmp), [], 'nothing left in its TMPDIR');
    assert.equal(await httpRequest(base, 'GET', '/healthz').then(() => 'answered', () => 'refused'), 'refused');
    assert.equal(fs.existsSync(noKvm), false, 'nothing at the device path');
    assert.deepEqual(devEntries(), devBefore, '/dev is as it was');
  });
});
