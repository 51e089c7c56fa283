/**
 * hosts.sh's KVM probe and its traces: with the device knob (GVH_KVM_DEVICE) at a missing path or
 * a regular file in this test's own temp dir, `up` chooses qemu (TCG) and creates nothing there;
 * `up` then `down`, a refused `up` and Ctrl-C in the middle of `up` leave nothing in /dev, no
 * mount, no process and nothing in the TMPDIR, and a /var without libvirt's directories gets none.
 * Runs its own hosts in its own TMPDIR, never the suite's.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exitWithin, killIfRunning, REPO_ROOT, spawnCaptured, type Spawned } from '../support/process.ts';
import { devEntries, mountsMentioning, processesMentioning } from '../support/traces.ts';
import { sleep } from '../support/wait.ts';

const HOSTS_SH = path.join(REPO_ROOT, 'test/hosts/hosts.sh');

/** The environment for hosts.sh with TMPDIR `tmp`: none of the suite's hosts or virt-type knobs. */
function hostsEnv(tmp: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: tmp, ...extra };
  if (!('GVH_FORCE_VIRT_TYPE' in extra)) delete env.GVH_FORCE_VIRT_TYPE;
  if (!('GVH_KVM_DEVICE' in extra)) delete env.GVH_KVM_DEVICE;
  delete env.GVH_DIR; // would point hosts.sh at the suite's hosts
  return env;
}

/** Runs `hosts.sh ARGS` to its end; its exit code and output. */
async function hostsSh(tmp: string, args: string[], extra: Record<string, string> = {}, detached = false): Promise<{ code: number | null; out: string }> {
  const run = spawnCaptured('bash', [HOSTS_SH, ...args], { env: hostsEnv(tmp, extra), detached });
  const { code } = await run.exited;
  return { code, out: run.output() };
}

/** The value of `export NAME='value'` in hosts.sh's output. */
function exported(out: string, name: string): string | undefined {
  return new RegExp(`^export ${name}='([^']*)'$`, 'm').exec(out)?.[1];
}

describe('the KVM probe and what hosts.sh leaves behind', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gvh-p')); // short: the hosts' socket paths must fit in 107 characters
  const hostsTmp = path.join(tmp, 'h');
  let devBefore: string[] = [];
  let running: Spawned | undefined;

  /** Asserts that the hosts left no trace: TMPDIR empty, no mount, no process, /dev as before. */
  const assertNoTrace = () => {
    assert.deepEqual(fs.readdirSync(hostsTmp), [], 'nothing left in its TMPDIR');
    assert.deepEqual(mountsMentioning(hostsTmp), [], 'no mount left');
    assert.deepEqual(processesMentioning(hostsTmp), [], 'no process left');
    assert.deepEqual(devEntries(), devBefore, '/dev is as it was');
  };

  before(() => {
    fs.mkdirSync(hostsTmp);
    devBefore = devEntries();
  });
  after(async () => {
    killIfRunning(running);
    await hostsSh(hostsTmp, ['down']);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('a missing device path: qemu, with the reason; nothing is created there; down leaves no trace', async () => {
    const missing = path.join(tmp, 'no-kvm');
    const up = await hostsSh(hostsTmp, ['up', 'a'], { GVH_KVM_DEVICE: missing });
    assert.equal(up.code, 0, up.out);
    assert.equal(exported(up.out, 'GVH_VIRT_TYPE'), 'qemu');
    assert.equal(exported(up.out, 'GVH_VIRT_WHY'), `${missing} is missing`);
    assert.equal(fs.existsSync(missing), false, 'the probe created the device path');
    assert.deepEqual(devEntries(), devBefore, '/dev is as it was while the host runs');
    assert.equal((await hostsSh(hostsTmp, ['down'])).code, 0);
    assertNoTrace();
  });

  test('a regular file at the device path: qemu; the file is left as it was', async () => {
    const file = path.join(tmp, 'regular-kvm');
    fs.writeFileSync(file, '');
    fs.utimesSync(file, 1_000_000, 1_000_000);
    const up = await hostsSh(hostsTmp, ['up', 'a'], { GVH_KVM_DEVICE: file });
    assert.equal(up.code, 0, up.out);
    assert.equal(exported(up.out, 'GVH_VIRT_TYPE'), 'qemu');
    assert.equal(exported(up.out, 'GVH_VIRT_WHY'), `${file} is not a character device`);
    const st = fs.statSync(file);
    assert.deepEqual([st.isFile(), st.size, st.mtimeMs], [true, 0, 1_000_000_000]);
    assert.equal((await hostsSh(hostsTmp, ['down'])).code, 0);
    assertNoTrace();
  });

  test('forcing kvm with an unusable device is refused before anything starts', async () => {
    const missing = path.join(tmp, 'no-kvm');
    const up = await hostsSh(hostsTmp, ['up', 'a'], { GVH_KVM_DEVICE: missing, GVH_FORCE_VIRT_TYPE: 'kvm' });
    assert.equal(up.code, 1);
    assert.match(up.out, new RegExp(`GVH_FORCE_VIRT_TYPE=kvm, but ${missing} is missing`));
    assert.equal(fs.existsSync(missing), false);
    assertNoTrace();
  });

  test('where /var lacks the libvirt mount points, up makes them in a private overlay: /var gets nothing', async () => {
    // In a mount namespace of its own, empty tmpfs mounts stand for a /var without them; a host
    // that made its mount points there would make them in these very tmpfs instances.
    const script = `for d in lib log cache; do mount -t tmpfs -o size=1m tmpfs /var/$d || exit 1; done
      bash "$1" up a >/dev/null || exit 1
      echo "up: $(find /var/lib /var/log /var/cache -mindepth 1 | tr '\\n' ' ')"
      bash "$1" down || exit 1
      echo "down: $(find /var/lib /var/log /var/cache -mindepth 1 | tr '\\n' ' ')"`;
    const run = spawnCaptured('unshare', ['--mount', '--propagation', 'private', '--', 'bash', '-c', script, 'bash', HOSTS_SH], { env: hostsEnv(hostsTmp) });
    const { code } = await run.exited;
    assert.equal(code, 0, run.output());
    assert.match(run.output(), /^up: $/m, 'nothing new in /var while the host runs');
    assert.match(run.output(), /^down: $/m, 'nothing new in /var after down');
    assertNoTrace();
  });

  test('Ctrl-C in the middle of up: up rolls back and leaves no trace', async () => {
    const missing = path.join(tmp, 'no-kvm');
    running = spawnCaptured('bash', [HOSTS_SH, 'up', 'a', 'b'], { env: hostsEnv(hostsTmp, { GVH_KVM_DEVICE: missing }), detached: true });
    const until = Date.now() + 30_000;
    while (!hostMounted(hostsTmp) && Date.now() < until && running.proc.exitCode === null) await sleep(20);
    assert.ok(hostMounted(hostsTmp), `host a never got its mounts: ${running.output()}`);
    process.kill(-running.proc.pid!, 'SIGINT'); // what a terminal's Ctrl-C does: the whole process group
    assert.deepEqual(await exitWithin(running, 60_000), { code: 130, signal: null }, running.output());
    assert.equal(fs.existsSync(missing), false);
    assertNoTrace();
  });
});

/** True once host a of the hosts in TMPDIR `tmp` has made its private mounts. */
function hostMounted(tmp: string): boolean {
  return fs.readdirSync(tmp).some((d) => d.startsWith('gvh-hosts.') && fs.existsSync(path.join(tmp, d, 'a', 'mounted')));
}
