/**
 * `govirthost migrate` between the two private hosts, run inside host A's network namespace (as
 * the agent of host A): a throttled live migration prints its rising bytes line by line and ends on
 * B; a second one is canceled with Ctrl-C and "y" and leaves the guest running on A.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isNotFound, type Libvirt } from '../../../src/libvirt/index.ts';
import { buildTestApp, type TestApp } from '../../support/app.ts';
import { startCli } from '../../support/cli.ts';
import { tinyGuestXml, uniqueName } from '../../support/guest.ts';
import { assertInHostNetns, ensureGuestInfra } from '../../support/guest-infra.ts';
import { hostEnv, openHost } from '../../support/hosts.ts';
import { serveOnLoopback, type Served } from '../../support/served.ts';

/** A guest with 2 GiB of (untouched) RAM: about 5.5 MiB to send, seconds at 1 MiB/s. */
const bigGuestXml = (name: string) => tinyGuestXml(name).replace("<memory unit='MiB'>64</memory>", "<memory unit='MiB'>2048</memory>");

describe('govirthost migrate between two private hosts', () => {
  let t: TestApp;
  let served: Served;
  let a: Libvirt;
  let b: Libvirt;
  let B: string;
  const names: string[] = [];
  const env = () => ({ GOVIRTHOST_URL: served.url, GOVIRTHOST_TOKEN: t.tokens.admin! });
  const running = async () => {
    const name = uniqueName('clim').slice(0, 40);
    names.push(name);
    await a.start(await a.defineXml(bigGuestXml(name)));
    return name;
  };
  const find = (lv: Libvirt, name: string) => lv.lookupDomain(name).catch((err) => { if (isNotFound(err)) return null; throw err; });
  /** The bytes of each progress line, in order. */
  const bytesOf = (stderr: string) => [...stderr.matchAll(/^migrate .+: running[^\n]*?, ([\d.]+) (B|KiB|MiB|GiB) of /gm)]
    .map((m) => Number(m[1]) * 1024 ** ['B', 'KiB', 'MiB', 'GiB'].indexOf(m[2]!));

  before(async () => {
    assertInHostNetns('a');
    B = hostEnv('GVH_B_IP');
    t = await buildTestApp({ uriVar: 'GVH_A_URI', withTokens: true });
    a = t.deps.libvirt;
    b = await openHost('GVH_B_URI', 'gvh-b');
    await ensureGuestInfra(a, 'a');
    await ensureGuestInfra(b, 'b');
    served = await serveOnLoopback(t);
  });
  after(async () => {
    for (const n of names) {
      for (const lv of [a, b]) {
        const dom = lv ? await find(lv, n).catch(() => null) : null;
        if (dom) { await lv.destroy(dom).catch(() => {}); await lv.undefine(dom).catch(() => {}); }
      }
    }
    await served?.close();
    await b?.close();
    await t?.close();
  });

  test('a throttled live migration prints rising bytes, ends on B and exits 0', async () => {
    const name = await running();
    const run = startCli(['migrate', name, '--to', B, '--bandwidth', '1'], env());
    const code = await run.exited;
    assert.equal(code, 0, run.stderr());
    const bytes = bytesOf(run.stderr());
    assert.ok(bytes.length >= 2 && bytes.some((x, i) => i > 0 && x > bytes[i - 1]!), `rising bytes: ${run.stderr()}`);
    assert.match(run.stdout(), new RegExp(`^migrate ${name} to ${B.replace(/\./g, '\\.')}: succeeded in `));
    assert.equal(await find(a, name), null, 'gone from A');
    assert.equal((await b.domainState((await find(b, name))!)).stateText, 'running');
  });

  test('Ctrl-C and "y" abort the migration: exit 130, the guest runs on A, nothing on B', async () => {
    const name = await running();
    const run = startCli(['migrate', name, '--to', B, '--bandwidth', '1'], env());
    await run.waitForStderr(/^migrate .+: running[^\n]*? of /m, 30_000);
    run.proc.kill('SIGINT');
    await run.waitForStderr(/Cancel migrate .+\? \[y\/N\] /, 5000);
    run.proc.stdin!.write('y\n');
    assert.equal(await run.exited, 130, run.stderr());
    assert.match(run.stderr(), /: canceled in .+OPERATION_CANCELED/);
    assert.equal((await a.domainState((await find(a, name))!)).stateText, 'running');
    assert.equal(await find(b, name), null);
  });
});
