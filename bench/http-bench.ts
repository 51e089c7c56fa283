/**
 * HTTP figures of the agent (run by scripts/bench.sh after the libvirt benchmark, host A up):
 * seed GET vm with 20 QEMU domains (5 running), GET metal, and one action (reset, on test-driver
 * domains), at concurrency 1 and 32, with the agent's RSS and CPU per request. A floor server (a
 * bare Hono app answering a constant JSON) runs the same load in the same run, for ratios.
 *
 * Env: GVH_A_URI, GVH_A_TEST_URI, GVH_VIRT_TYPE. BENCH_SCALE shortens every loop.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TICKS, bundle, cpuTicks, loaded as loadedFor, request, sequential as sequentialOf, startProcess, type Agent } from './lib/agent.ts';
import { Libvirt, LibvirtClient, type DomainRef } from '../src/libvirt/index.ts';
import { tinyGuestXml } from '../test/support/guest.ts';

const SCALE = Number(process.env.BENCH_SCALE ?? '1');
const SEQUENTIAL = Math.max(50, Math.round(3000 * SCALE));
const LOAD_SECONDS = Math.max(1, Math.round(5 * SCALE));

interface Row { workload: string; target: string; c1Median: number; c1P90: number; c32Rps: number; c32P50: number; cpuUsPerReq: number; floorRatio: number | null }

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set; run through 'npm run bench'`);
  return v;
};

function startAgent(script: string, uri: string, port: number, dbDir: string): Promise<Agent> {
  return startProcess([script, '--libvirt-uri', uri, '--listen', `127.0.0.1:${port}`, '--db', path.join(dbDir, `agent-${port}.db`), '--log-level', 'warn'], port);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
}

function rssMiB(pid: number): number {
  const kb = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) / 1024;
}

/**
 * `n` loops, each with its own keep-alive connection and its own domain (so no two actions ever
 * meet on one domain), for LOAD_SECONDS; throughput, p50 and the server's CPU per request.
 */
async function loops(agent: Agent, n: number, send: (loop: number, port: number) => Promise<unknown>): Promise<{ rps: number; p50: number; cpuUs: number }> {
  const pid = agent.proc.pid!;
  const before = cpuTicks(pid);
  const until = Date.now() + LOAD_SECONDS * 1000;
  const times: number[] = [];
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: n }, async (_, i) => {
    while (Date.now() < until) {
      const t0 = process.hrtime.bigint();
      await send(i, agent.port);
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  }));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  times.sort((a, b) => a - b);
  return { rps: times.length / seconds, p50: percentile(times, 0.5), cpuUs: ((cpuTicks(pid) - before) / TICKS) * 1e6 / times.length };
}

async function defineDomains(lv: Libvirt, count: number, running: number, prefix: string, xml: (n: string) => string): Promise<DomainRef[]> {
  const doms: DomainRef[] = [];
  for (let i = 0; i < count; i++) {
    const dom = await lv.defineXml(xml(`${prefix}-${i}`));
    doms.push(i < running ? await lv.start(dom) : dom);
  }
  return doms;
}

async function removeDomains(lv: Libvirt, doms: DomainRef[]): Promise<void> {
  for (const dom of doms) {
    await lv.destroy(dom).catch(() => {});
    await lv.undefine(dom).catch(() => {});
  }
}

const fmt = (v: number, digits = 3) => (Number.isFinite(v) ? v.toFixed(digits) : '–');

function printTable(rows: Row[], idle: number, loadedRss: number, floorIdle: number): void {
  const head = ['workload', 'c=1 median ms', 'c=1 p90 ms', 'c=32 req/s', 'c=32 p50 ms', 'CPU µs/req', 'vs floor (c=32 req/s)', 'target'];
  const lines = rows.map((r) => [r.workload, fmt(r.c1Median), fmt(r.c1P90), fmt(r.c32Rps, 0), fmt(r.c32P50, 0), fmt(r.cpuUsPerReq, 0), r.floorRatio === null ? '–' : `${fmt(r.floorRatio, 2)}x`, r.target]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(['', 'HTTP (agent as a process, keep-alive, loopback)', line(head), line(widths.map((w) => '-'.repeat(w))), ...lines.map(line)].join('\n'));
  console.log(`agent RSS: idle ${fmt(idle, 1)} MiB (target < 80 MiB: ${idle < 80 ? 'PASS' : 'FAIL'}), after load ${fmt(loadedRss, 1)} MiB; floor server idle ${fmt(floorIdle, 1)} MiB`);
}

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gvh-httpbench-'));
  const qemu = new Libvirt(new LibvirtClient(env('GVH_A_URI')));
  await qemu.connect();
  const test = new Libvirt(new LibvirtClient(env('GVH_A_TEST_URI')));
  await test.connect(); // holds the test driver's state for the run
  const guests = await defineDomains(qemu, 20, 5, 'httpbench', (n) => tinyGuestXml(n, env('GVH_VIRT_TYPE')));
  const testDoms = await defineDomains(test, 64, 64, 'httpbench', (n) => `<domain type='test'><name>${n}</name><memory>8192</memory><os><type>hvm</type></os></domain>`);
  const agents: Agent[] = [];
  try {
    const agentJs = await bundle('src/main.ts', 'agent');
    const floor = await startProcess([await bundle('bench/lib/floor-server.ts', 'floor'), '18199'], 18199);
    const reads = await startAgent(agentJs, env('GVH_A_URI'), 18101, tmp);
    const acts = await startAgent(agentJs, env('GVH_A_TEST_URI'), 18102, tmp);
    agents.push(floor, reads, acts);
    const idle = rssMiB(reads.proc.pid!);
    const floorIdle = rssMiB(floor.proc.pid!);
    const loaded = (agent: Agent, requests: Parameters<typeof loadedFor>[1]) => loadedFor(agent, requests, LOAD_SECONDS);
    const sequential = (send: () => Promise<unknown>) => sequentialOf(SEQUENTIAL, send);
    const floorLoad = await loaded(floor, [{ method: 'GET', path: '/' }]);
    const vmBody = JSON.stringify({ target: 'vm', domain: '' });
    const metalBody = JSON.stringify({ target: 'metal', domain: '' });
    const rows: Row[] = [];
    const vm1 = await sequential(() => request(reads.port, 'GET', '/', vmBody));
    const vm32 = await loaded(reads, [{ method: 'GET', path: '/', body: vmBody }]);
    rows.push({ workload: 'seed GET vm (20 domains)', target: `c=1 median < 1 ms: ${vm1.median < 1 ? 'PASS' : 'FAIL'}`, c1Median: vm1.median, c1P90: vm1.p90, c32Rps: vm32.rps, c32P50: vm32.p50, cpuUsPerReq: vm32.cpuUs, floorRatio: vm32.rps / floorLoad.rps });
    const metal1 = await sequential(() => request(reads.port, 'GET', '/', metalBody));
    const metal32 = await loaded(reads, [{ method: 'GET', path: '/', body: metalBody }]);
    rows.push({ workload: 'seed GET metal', target: `c=32 > 10000 req/s: ${metal32.rps > 10_000 ? 'PASS' : 'FAIL'}`, c1Median: metal1.median, c1P90: metal1.p90, c32Rps: metal32.rps, c32P50: metal32.p50, cpuUsPerReq: metal32.cpuUs, floorRatio: metal32.rps / floorLoad.rps });
    const names = testDoms.map((d) => d.name);
    let next = 0;
    const act1 = await sequential(() => request(acts.port, 'POST', '/', JSON.stringify({ domain: names[next++ % names.length], action: 'reset', target: '' })));
    const act32 = await loops(acts, 32, (i, port) => request(port, 'POST', '/', JSON.stringify({ domain: names[i], action: 'reset', target: '' })));
    rows.push({ workload: 'seed POST reset (audited)', target: '–', c1Median: act1.median, c1P90: act1.p90, c32Rps: act32.rps, c32P50: act32.p50, cpuUsPerReq: act32.cpuUs, floorRatio: act32.rps / floorLoad.rps });
    rows.push({ workload: 'floor: bare Hono constant JSON', target: '–', c1Median: NaN, c1P90: NaN, c32Rps: floorLoad.rps, c32P50: floorLoad.p50, cpuUsPerReq: floorLoad.cpuUs, floorRatio: 1 });
    printTable(rows, idle, rssMiB(reads.proc.pid!), floorIdle);
    fs.mkdirSync(path.join('bench', 'results'), { recursive: true });
    fs.writeFileSync(path.join('bench', 'results', 'http-latest.json'), JSON.stringify({ rows, idleRssMiB: idle, floorIdleRssMiB: floorIdle }, null, 2));
  } finally {
    for (const a of agents) a.proc.kill('SIGTERM');
    await removeDomains(qemu, guests);
    await qemu.close();
    await test.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
