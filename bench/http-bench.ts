/**
 * HTTP figures of the agent (run by scripts/bench.sh after the libvirt benchmark, host A up):
 * seed GET vm with 20 QEMU domains (5 running), GET metal, and one action (reset, on test-driver
 * domains), at concurrency 1 and 32, with the agent's RSS and CPU per request. A floor server (a
 * bare Hono app answering a constant JSON) runs the same load in the same run, for ratios.
 *
 * Env: GVH_A_URI, GVH_A_TEST_URI, GVH_VIRT_TYPE. BENCH_SCALE shortens every loop.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { build } from 'esbuild';
import { Libvirt, LibvirtClient, type DomainRef } from '../src/libvirt/index.ts';
import { tinyGuestXml } from '../test/support/guest.ts';

const SCALE = Number(process.env.BENCH_SCALE ?? '1');
const SEQUENTIAL = Math.max(50, Math.round(3000 * SCALE));
const LOAD_SECONDS = Math.max(1, Math.round(5 * SCALE));
const TICKS = 100; // USER_HZ

interface Agent { proc: ChildProcess; port: number }
interface Row { workload: string; target: string; c1Median: number; c1P90: number; c32Rps: number; c32P50: number; cpuUsPerReq: number; floorRatio: number | null }

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set; run through 'npm run bench'`);
  return v;
};

const BUNDLES = path.join('dist', 'bench');

/** Bundles an entry point the way a deploy runs it (one ESM file, better-sqlite3 external). */
async function bundle(entry: string, name: string): Promise<string> {
  const outfile = path.join(BUNDLES, `${name}.mjs`); // dist/bench/: ../../migrations is the repo's
  await build({
    entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning',
    external: ['better-sqlite3'],
    banner: { js: "import { createRequire as __gvhRequire } from 'node:module'; const require = __gvhRequire(import.meta.url);" },
  });
  return outfile;
}

async function startProcess(args: string[], port: number): Promise<Agent> {
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  for (let i = 0; i < 200; i++) {
    const ok = await get(port, '/healthz').then(() => true, () => false);
    if (ok) return { proc, port };
    await new Promise((r) => setTimeout(r, 50));
  }
  proc.kill('SIGKILL');
  throw new Error(`process on port ${port} did not come up: ${args.join(' ')}`);
}

function startAgent(script: string, uri: string, port: number, dbDir: string): Promise<Agent> {
  return startProcess([script, '--libvirt-uri', uri, '--listen', `127.0.0.1:${port}`, '--db', path.join(dbDir, `agent-${port}.db`), '--log-level', 'warn'], port);
}

const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 64 });

function request(port: number, method: string, urlPath: string, body?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, agent: keepAlive, headers: body ? { 'content-length': Buffer.byteLength(body) } : {} }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { text += d; });
      res.on('end', () => (res.statusCode === 200 ? resolve(text) : reject(new Error(`${res.statusCode} ${text}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const get = (port: number, p: string) => request(port, 'GET', p);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
}

/** Median and p90 in ms of sequential requests over one keep-alive connection. */
async function sequential(send: (i: number) => Promise<unknown>): Promise<{ median: number; p90: number }> {
  for (let i = 0; i < 100; i++) await send(i);
  const times: number[] = [];
  for (let i = 0; i < SEQUENTIAL; i++) {
    const t0 = process.hrtime.bigint();
    await send(i);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { median: percentile(times, 0.5), p90: percentile(times, 0.9) };
}

function cpuTicks(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime (fields 14 and 15)
}

function rssMiB(pid: number): number {
  const kb = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) / 1024;
}

/** Throughput and p50 at 32 connections, plus the server's CPU per request. */
async function loaded(agent: Agent, requests: autocannon.Request[]): Promise<{ rps: number; p50: number; cpuUs: number }> {
  const pid = agent.proc.pid!;
  const before = cpuTicks(pid);
  const result = await autocannon({ url: `http://127.0.0.1:${agent.port}`, connections: 32, duration: LOAD_SECONDS, requests });
  const total = result.requests.total;
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${result.non2xx} non-2xx (${JSON.stringify(result.statusCodeStats)}) and ${result.errors} errors under load`);
  return { rps: result.requests.average, p50: result.latency.p50, cpuUs: ((cpuTicks(pid) - before) / TICKS) * 1e6 / total };
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
  await qemu.client.connect();
  const test = new Libvirt(new LibvirtClient(env('GVH_A_TEST_URI')));
  await test.client.connect(); // holds the test driver's state for the run
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
    const act1 = await sequential((i) => request(acts.port, 'POST', '/', JSON.stringify({ domain: names[i % names.length], action: 'reset', target: '' })));
    const act32 = await loops(acts, 32, (i, port) => request(port, 'POST', '/', JSON.stringify({ domain: names[i], action: 'reset', target: '' })));
    rows.push({ workload: 'seed POST reset (audited)', target: '–', c1Median: act1.median, c1P90: act1.p90, c32Rps: act32.rps, c32P50: act32.p50, cpuUsPerReq: act32.cpuUs, floorRatio: act32.rps / floorLoad.rps });
    rows.push({ workload: 'floor: bare Hono constant JSON', target: '–', c1Median: NaN, c1P90: NaN, c32Rps: floorLoad.rps, c32P50: floorLoad.p50, cpuUsPerReq: floorLoad.cpuUs, floorRatio: 1 });
    printTable(rows, idle, rssMiB(reads.proc.pid!), floorIdle);
    fs.mkdirSync(path.join('bench', 'results'), { recursive: true });
    fs.writeFileSync(path.join('bench', 'results', 'http-latest.json'), JSON.stringify({ rows, idleRssMiB: idle, floorIdleRssMiB: floorIdle }, null, 2));
  } finally {
    for (const a of agents) a.proc.kill('SIGTERM');
    await removeDomains(qemu, guests);
    await qemu.client.close();
    await test.client.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
