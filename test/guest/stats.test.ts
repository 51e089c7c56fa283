/**
 * A real Linux guest's performance history through GET /v1/domains/{name}/stats on host a, with a
 * snapshot every second: a busy loop typed into its console shows as about one vCPU (a wide band:
 * under TCG on a busy machine it gets what the host gives it), pings it sends move its NIC's
 * transmit rate, an idle guest stays low; bad windows are refused by field.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DomainRef, LibvirtStream } from '../../src/libvirt/index.ts';
import { TEST_BACKGROUND, buildTestApp, type TestApp } from '../support/app.ts';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { NET_PREFIX, POOL_DIR, ensureGuestInfra, ensureNetwork, freeAddress, outsidePath } from '../support/guest-infra.ts';

const run = promisify(execFile);
import { uniqueName } from '../support/guest.ts';
import { removeDomain } from '../support/hosts.ts';
import { linuxGuestImage, linuxGuestXml } from '../support/linux-guest.ts';
import { sleep } from '../support/wait.ts';

interface Point { at: string; cpuPercent: number | null; netTxBps: number | null; memoryActualBytes: number | null; diskWriteBps: number | null; diskIops: number | null }

describe('a real guest\'s performance history', () => {
  let t: TestApp;
  let dom: DomainRef;
  let console: LibvirtStream;
  let text = '';
  const name = uniqueName('stats');

  const stats = async (query: string) => {
    const res = await t.app.request(`/v1/domains/${name}/stats${query}`);
    return { status: res.status, body: (await res.json()) as { points: Point[]; stepSeconds: number; error?: { fields?: Array<{ field: string }> } } };
  };
  const last = async (seconds: number) => (await stats(`?since=${new Date(Date.now() - seconds * 1000).toISOString()}&step=1`)).body.points;
  const typeUntil = async (line: string, expect: RegExp, timeoutMs: number) => {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      await console.write(Buffer.from(`${line}\n`));
      for (let i = 0; i < 20; i++) { if (expect.test(text)) return; await sleep(100); }
    }
    throw new Error(`console never showed ${expect}:\n${text.slice(-1000)}`);
  };

  before(async () => {
    t = await buildTestApp({ uriVar: 'GVH_A_URI', background: TEST_BACKGROUND });
    const net = await ensureNetwork(t.deps.libvirt, 'default', 'gvhbr0', NET_PREFIX);
    const { mac } = await freeAddress(t.deps.libvirt, net);
    // A small raw disk for it to write to (it boots from its kernel and initramfs, not from a disk).
    await ensureGuestInfra(t.deps.libvirt, 'a');
    const disk = `${POOL_DIR}/${name}.raw`;
    await run('qemu-img', ['create', '-q', '-f', 'raw', outsidePath('a', disk), '64M'], { timeout: 30_000 });
    const xml = linuxGuestXml(name, { image: await linuxGuestImage(), mac })
      .replace('<controller', `<disk type='file' device='disk'><driver name='qemu' type='raw' cache='none'/><source file='${disk}'/><target dev='vda' bus='virtio'/></disk>\n    <controller`);
    dom = await t.deps.libvirt.start(await t.deps.libvirt.defineXml(xml));
    console = await t.deps.libvirt.openConsole(dom, null);
    console.onData((c) => { text += c.toString('latin1'); console.consumed(c.length); });
    await typeUntil('echo ready-$((2*4))', /ready-8/, 120_000);
  });
  after(async () => {
    await console?.abort().catch(() => {});
    await removeDomain(t.deps.libvirt, name);
    await t.close();
  });

  test('idle, it uses little CPU', async () => {
    await sleep(6_000);
    const cpu = (await last(5)).map((p) => p.cpuPercent).filter((v): v is number => v !== null);
    assert.ok(cpu.length >= 2, JSON.stringify(cpu));
    assert.ok(Math.max(...cpu) < 50, `idle CPU ${cpu.join(', ')}`);
  });

  test('a busy loop shows as about one vCPU, and pings move the transmit rate', async (tc) => {
    await typeUntil(`ping -c 60 -s 1400 ${NET_PREFIX}.1 > /dev/null & echo pinging-$((3+3))`, /pinging-6/, 10_000);
    await typeUntil('while :; do :; done & echo burning-$((5+5))', /burning-10/, 10_000);
    await sleep(8_000);
    const points = await last(6);
    const cpu = points.map((p) => p.cpuPercent).filter((v): v is number => v !== null);
    const tx = points.map((p) => p.netTxBps).filter((v): v is number => v !== null);
    tc.diagnostic(`CPU % per second: ${cpu.map((c) => c.toFixed(0)).join(' ')}; tx B/s: ${tx.map((x) => x.toFixed(0)).join(' ')}`);
    const mean = cpu.reduce((a, b) => a + b, 0) / cpu.length;
    assert.ok(mean > 60 && mean < 130, `mean CPU ${mean.toFixed(0)} %`);
    assert.ok(tx.some((x) => x > 1000), `tx ${tx.join(', ')}`);
    assert.ok(points.some((p) => p.memoryActualBytes !== null), 'memory as the balloon says');
  });

  test('writing to its disk moves the disk write rate and IOPS', async (tc) => {
    await typeUntil('dd if=/dev/zero of=/dev/vda bs=64k count=512 conv=fsync 2>/dev/null; echo wrote-$((4*4))', /wrote-16/, 60_000);
    await sleep(2_000);
    const points = await last(15);
    const written = points.map((p) => p.diskWriteBps ?? 0);
    tc.diagnostic(`disk write B/s: ${written.filter((w) => w > 0).map((w) => w.toFixed(0)).join(' ')}`);
    const total = written.reduce((a, b) => a + b, 0);
    assert.ok(total > 16 * 1024 * 1024, `about 32 MiB written, the rates sum to ${total} B`);
    assert.ok(points.some((p) => (p.diskIops ?? 0) > 0));
  });

  test('the dashboard charts it: the domain page\'s CPU chart and the overview\'s sparkline', async () => {
    const page = await (await t.app.request(`/ui/domains/${name}`)).text();
    const values = /id="perf-cpu"[\s\S]*?data-series="cpuPercent"[^>]*data-values="([^"]*)"/.exec(page)?.[1] ?? '';
    assert.ok(Math.max(...values.split(',').map(Number)) > 60, `chart values ${values}`);
    assert.match(await (await t.app.request(`/ui/domains/${name}?range=1d`)).text(), /<strong aria-current="true">last 1d<\/strong>/);
    const overview = await (await t.app.request('/ui')).text();
    const latest = new RegExp(`data-domain="${name}"[\\s\\S]*?class="sparkline"[^>]*data-latest="(\\d+)"`).exec(overview)?.[1];
    assert.ok(Number(latest) > 60, `sparkline latest ${latest}`);
    const cpu = (await (await t.app.request('/v1/stats/cpu')).json()) as { domains: Record<string, Array<{ cpuPercent: number }>> };
    assert.ok((cpu.domains[name]?.length ?? 0) > 5);
  });

  test('bad windows are refused by field; an unknown guest is 404', async () => {
    assert.equal((await stats('?since=yesterday')).body.error?.fields?.[0]?.field, 'since');
    assert.equal((await stats(`?since=${new Date().toISOString()}&until=${new Date(Date.now() - 1000).toISOString()}`)).body.error?.fields?.[0]?.field, 'since');
    assert.equal((await stats(`?since=${new Date(Date.now() - 7 * 86_400_000).toISOString()}&step=1`)).body.error?.fields?.[0]?.field, 'step');
    assert.equal((await stats('?step=0')).status, 400);
    assert.equal((await stats('?since=1970-01-01T00:00:00Z')).body.error?.fields?.[0]?.field, 'since', 'a window over 31 days');
    assert.equal((await t.app.request('/v1/domains/never-seen/stats')).status, 404);
  });
});
