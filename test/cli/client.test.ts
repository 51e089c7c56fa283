/**
 * The command-line client against a real agent (served on loopback, tokens on, QEMU guests on the
 * private host A): list, actions and their exit codes, refusals, a shutdown's progress lines and
 * Ctrl-C (cancel, or leave it running), --no-wait and cancel, the event stream, --json.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Libvirt } from '../../src/libvirt/index.ts';
import { TEST_BACKGROUND, buildTestApp, type TestApp } from '../support/app.ts';
import { runCli, startCli } from '../support/cli.ts';
import { tinyGuestXml, uniqueName } from '../support/guest.ts';
import { removeDomain } from '../support/http.ts';
import { freePort } from '../support/process.ts';
import { serveOnLoopback, type Served } from '../support/served.ts';
import { waitUntil } from '../support/wait.ts';

describe('the govirthost client against a real agent', () => {
  let t: TestApp;
  let served: Served;
  let lv: Libvirt;
  const names: string[] = [];
  const as = (role: 'viewer' | 'operator') => ({ GOVIRTHOST_URL: served.url, GOVIRTHOST_TOKEN: t.tokens[role]! });
  const fresh = () => { const n = uniqueName('cli').slice(0, 40); names.push(n); return n; };
  const defined = async (start: boolean) => {
    const name = fresh();
    const dom = await lv.defineXml(tinyGuestXml(name));
    if (start) await lv.start(dom);
    return { name, dom };
  };
  const state = async (name: string) => (await lv.domainState(await lv.lookupDomain(name))).stateText;

  before(async () => {
    t = await buildTestApp({ uriVar: 'GVH_A_URI', withTokens: true, background: TEST_BACKGROUND });
    lv = t.deps.libvirt;
    served = await serveOnLoopback(t);
  });
  after(async () => {
    for (const n of names) await removeDomain(t, n);
    await served?.close();
    await t?.close();
  });

  test('ls lists the domains libvirt has with their states; --json prints the agent\'s answer', async () => {
    const { name } = await defined(false);
    const r = await runCli(['ls'], as('viewer'));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^NAME\s+STATE\s+VCPUS\s+MEMORY\s+AUTOSTART\n/);
    assert.match(r.stdout, new RegExp(`^${name}\\s+shut off\\s+1\\s+64\\.0 MiB\\s+no$`, 'm'));
    const j = await runCli(['ls', '--json'], as('viewer'));
    const listed = (JSON.parse(j.stdout) as { domains: { name: string }[] }).domains.map((d) => d.name).sort();
    const inLibvirt = await Promise.all((await lv.listDomains()).map((d) => d.name));
    assert.deepEqual(listed, inLibvirt.sort());
  });

  test('start: exit 0, the guest runs, the line says so and the history shows who did it', async () => {
    const { name } = await defined(false);
    const r = await runCli(['start', name], as('operator'));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^start ${name}: succeeded in .+: running\\n$`));
    assert.equal(await state(name), 'running');
    const h = await runCli(['history', '--domain', name, '--json'], as('viewer'));
    const records = (JSON.parse(h.stdout) as { records: { action: string; actor: string; outcome: string }[] }).records;
    assert.deepEqual(records.map((x) => [x.action, x.actor, x.outcome]), [['start', 'test-operator', 'succeeded']]);
  });

  test('refusals exit with their own codes: not found 4, no token or role 5, usage 2, no agent 3', async () => {
    const missing = await runCli(['start', 'no-such-domain'], as('operator'));
    assert.deepEqual([missing.code, missing.stdout], [4, '']);
    assert.match(missing.stderr, /NOT_FOUND: domain 'no-such-domain' not found/);
    const anonymous = await runCli(['ls'], { GOVIRTHOST_URL: served.url });
    assert.equal(anonymous.code, 5);
    assert.match(anonymous.stderr, /UNAUTHENTICATED.*\n.*GOVIRTHOST_TOKEN/s);
    const viewer = await runCli(['destroy', 'no-such-domain'], as('viewer'));
    assert.equal(viewer.code, 5);
    assert.match(viewer.stderr, /FORBIDDEN/);
    for (const args of [['start'], ['ls', 'extra'], ['shutdown', 'x', '--wait', 'soon'], ['migrate', 'x'], ['frobnicate'], ['ls', '--nope']]) {
      const r = await runCli(args, as('viewer'));
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /^govirthost: /);
    }
    const gone = await runCli(['ls'], { GOVIRTHOST_URL: `http://127.0.0.1:${await freePort()}`, GOVIRTHOST_TOKEN: 'x' });
    assert.equal(gone.code, 3);
    assert.match(gone.stderr, /cannot reach the agent/);
  });

  test('the token comes from a file, never a flag; a file others can read is warned about', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gvh-cli-'));
    try {
      const file = path.join(dir, 'token');
      fs.writeFileSync(file, `${t.tokens.viewer}\n`, { mode: 0o600 });
      const ok = await runCli(['ls', '--token-file', file, '--url', served.url], {});
      assert.deepEqual([ok.code, ok.stderr], [0, '']);
      fs.chmodSync(file, 0o644);
      const open = await runCli(['ls', '--quiet'], { GOVIRTHOST_URL: served.url, GOVIRTHOST_TOKEN_FILE: file });
      assert.equal(open.code, 0, open.stderr);
      assert.match(open.stderr, /readable by others/);
      const flag = await runCli(['ls', '--token', t.tokens.viewer!], { GOVIRTHOST_URL: served.url });
      assert.equal(flag.code, 2);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a shutdown the guest ignores shows its wait line by line; Ctrl-C and "y" cancel it: exit 130, the guest untouched', async () => {
    const { name } = await defined(true);
    const run = startCli(['shutdown', name, '--wait', '120'], as('operator'));
    await run.waitForStderr(/waited [1-9]\d* s, \d+ s left\n(.|\n)*waited \d+ s/, 20_000);
    assert.match(run.stderr(), new RegExp(`^shutdown ${name}: running \\d+%, waited \\d+ s, 1[01]\\d s left$`, 'm'));
    run.proc.kill('SIGINT');
    await run.waitForStderr(/Cancel shutdown .+ \(operation \d+\)\? \[y\/N\] /, 5000);
    const asked = Date.now();
    run.proc.stdin!.write('y\n');
    assert.equal(await run.exited, 130, run.stderr());
    assert.ok(Date.now() - asked < 3000, `ended ${Date.now() - asked} ms after the answer`);
    assert.match(run.stderr(), new RegExp(`shutdown ${name}: canceled in .+: OPERATION_CANCELED`));
    assert.equal(await state(name), 'running');
    const ops = await runCli(['ops', '--domain', name, '--json'], as('viewer'));
    const list = (JSON.parse(ops.stdout) as { operations: { action: string; status: string }[] }).operations;
    assert.deepEqual(list.map((o) => [o.action, o.status]), [['shutdown', 'canceled']]);
  });

  test('Ctrl-C answered "n" keeps waiting; with no answer the shutdown goes on and ops --follow shows its end', async () => {
    const { name } = await defined(true);
    const run = startCli(['shutdown', name, '--wait', '8'], as('operator'));
    await run.waitForStderr(/waited \d s/, 20_000);
    run.proc.kill('SIGINT');
    await run.waitForStderr(/\[y\/N\] /, 5000);
    run.proc.stdin!.write('n\n');
    await run.waitForStderr(/still waiting/, 5000);
    run.proc.kill('SIGINT');
    await waitUntil(() => (run.stderr().match(/\[y\/N\] /g) ?? []).length === 2, 5000);
    run.proc.stdin!.end();
    assert.equal(await run.exited, 130);
    const id = run.stderr().match(/govirthost ops (\d+) --follow/)?.[1];
    assert.ok(id, run.stderr());
    const followed = await runCli(['ops', id, '--follow', '--json'], as('viewer'));
    const op = JSON.parse(followed.stdout) as { status: string; result: { shutdown: string } };
    assert.deepEqual([op.status, op.result.shutdown], ['succeeded', 'still-running']);
    assert.equal(followed.code, 1, 'a guest still running after the wait is a failure to the shell');
  });

  test('--no-wait answers with the operation; cancel ID cancels it; ops ID shows it canceled', async () => {
    const { name } = await defined(true);
    const r = await runCli(['shutdown', name, '--wait', '120', '--no-wait'], as('operator'));
    assert.equal(r.code, 0, r.stderr);
    const id = r.stdout.match(new RegExp(`^shutdown ${name}: running as operation (\\d+)`))?.[1];
    assert.ok(id, r.stdout);
    const c = await runCli(['cancel', id], as('operator'));
    assert.equal(c.code, 0, c.stderr);
    assert.match(c.stdout, /cancel requested/);
    const again = await runCli(['cancel', id], as('operator'));
    assert.equal(again.code, 6, again.stderr);
    const shown = await runCli(['ops', id], as('viewer'));
    assert.match(shown.stdout, new RegExp(`^shutdown ${name}: canceled in `));
    assert.equal(await state(name), 'running');
  });

  test('watch prints events as they happen, one JSON object per line with --json, until Ctrl-C', async () => {
    const { name, dom } = await defined(false);
    const run = startCli(['watch', '--domain', name, '--type', 'lifecycle,audit', '--json'], as('viewer'));
    await new Promise((r) => setTimeout(r, 1500)); // the stream is open before the guest starts
    const started = await runCli(['start', name, '--quiet'], as('operator'));
    assert.equal(started.code, 0, started.stderr);
    await waitUntil(() => run.stdout().includes('"type":"audit"'), 10_000);
    run.proc.kill('SIGINT');
    assert.equal(await run.exited, 0, run.stderr());
    const events = run.stdout().trim().split('\n').map((l) => JSON.parse(l) as { type: string; domain: string; event?: string; action?: string });
    assert.ok(events.every((e) => e.domain === name));
    assert.ok(events.some((e) => e.type === 'lifecycle' && e.event === 'started'), run.stdout());
    assert.ok(events.some((e) => e.type === 'audit' && e.action === 'start'), run.stdout());
    void dom;
  });
});
