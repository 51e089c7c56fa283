/**
 * Two builds of the agent side by side in one run (scripts/bench-ab.sh): the current tree (B) and
 * an earlier commit (A, checked out at BENCH_BASE_DIR with its own migrations), each bundled the
 * way a deploy runs it and started against the same private libvirt host. Reads (seed GET vm,
 * cached; REST GET one domain, cached) and a synchronous audited action (seed POST reset on
 * test-driver domains) are timed in ABBAAB rounds, so drift hits both alike; the CPU per request
 * is read from /proc. Prints medians and the B/A ratios, and writes bench/results/ab-latest.json.
 *
 * Env: BENCH_BASE_DIR, BENCH_BASE_REF (its name, for the report), GVH_A_URI, GVH_A_TEST_URI.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { cpuTicks, request, startProcess, stopProcess, timeRequests, TICKS, type Agent } from './lib/agent.ts';
import { Libvirt, LibvirtClient } from '../src/libvirt/index.ts';

const SCALE = Number(process.env.BENCH_SCALE ?? '1');
const PER_ROUND = Math.max(50, Math.round(1000 * SCALE));
const ORDER = ['A', 'B', 'B', 'A', 'A', 'B'] as const;

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set; run through scripts/bench-ab.sh`);
  return v;
};

/** Bundles `root`/src/main.ts into `root`/dist/bench/ab.mjs, so that its migrations are its own. */
async function bundleAt(root: string): Promise<string> {
  const outfile = path.join(root, 'dist', 'bench', 'ab.mjs');
  await build({
    entryPoints: [path.join(root, 'src', 'main.ts')], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20',
    logLevel: 'warning', external: ['better-sqlite3'], absWorkingDir: root,
    banner: { js: "import { createRequire as __gvhRequire } from 'node:module'; const require = __gvhRequire(import.meta.url);" },
  });
  return outfile;
}

interface Workload { name: string; uri: 'qemu' | 'test'; send: (port: number, i: number) => Promise<unknown> }

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gvh-ab-'));
  const test = new Libvirt(new LibvirtClient(env('GVH_A_TEST_URI')));
  await test.connect(); // holds the test driver's state for the run
  const names = Array.from({ length: 64 }, (_, i) => `ab${i}`);
  for (const n of names) await test.start(await test.defineXml(`<domain type='test'><name>${n}</name><memory>8192</memory><os><type>hvm</type></os></domain>`));
  const scripts = { A: await bundleAt(env('BENCH_BASE_DIR')), B: await bundleAt(process.cwd()) };
  const agents: Agent[] = [];
  const start = async (side: 'A' | 'B', uri: string, port: number) => {
    const agent = await startProcess([scripts[side], '--libvirt-uri', uri, '--listen', `127.0.0.1:${port}`, '--db', path.join(tmp, `${side}-${port}.db`), '--log-level', 'warn'], port);
    agents.push(agent);
    // Cached reads need the first inventory snapshot: /readyz says when it is there.
    for (let i = 0; i < 300 && !(await request(port, 'GET', '/readyz').then(() => true, () => false)); i++) await new Promise((r) => setTimeout(r, 100));
    return agent;
  };
  try {
    const ports = {
      A: { qemu: (await start('A', env('GVH_A_URI'), 18301)).port, test: (await start('A', env('GVH_A_TEST_URI'), 18302)).port },
      B: { qemu: (await start('B', env('GVH_A_URI'), 18311)).port, test: (await start('B', env('GVH_A_TEST_URI'), 18312)).port },
    };
    const pids = new Map(agents.map((a) => [a.port, a.proc.pid!]));
    const vm = JSON.stringify({ target: 'vm', domain: '', source: 'cached' });
    const workloads: Workload[] = [
      { name: 'seed GET vm (cached)', uri: 'qemu', send: (port) => request(port, 'GET', '/', vm) },
      { name: 'REST GET /v1/domains/{name} (cached)', uri: 'test', send: (port, i) => request(port, 'GET', `/v1/domains/${names[i % names.length]}?source=cached`) },
      { name: 'seed POST reset (audited operation)', uri: 'test', send: (port, i) => request(port, 'POST', '/', JSON.stringify({ domain: names[i % names.length], action: 'reset', target: '' })) },
      { name: 'REST POST reset (audited operation)', uri: 'test', send: (port, i) => request(port, 'POST', `/v1/domains/${names[i % names.length]}/actions/reset`) },
    ];
    const rows = [];
    for (const w of workloads) {
      const times = { A: [] as number[], B: [] as number[] };
      const cpu = { A: 0, B: 0 };
      for (const side of ORDER) {
        const port = ports[side][w.uri];
        const pid = pids.get(port)!;
        let i = 0;
        const before = cpuTicks(pid);
        times[side].push(...await timeRequests(PER_ROUND, () => w.send(port, i++)));
        cpu[side] += ((cpuTicks(pid) - before) / TICKS) * 1e6 / (PER_ROUND + 100);
      }
      const row = {
        workload: w.name,
        aMedianMs: median(times.A), bMedianMs: median(times.B),
        aCpuUs: cpu.A / 3, bCpuUs: cpu.B / 3,
      };
      rows.push({ ...row, medianRatio: row.bMedianMs / row.aMedianMs, cpuRatio: row.bCpuUs / row.aCpuUs });
    }
    const base = process.env.BENCH_BASE_REF ?? 'base';
    console.log(`\nA = ${base}, B = this tree; ${PER_ROUND} requests per round, rounds ${ORDER.join('')}, c=1 on keep-alive\n`);
    console.log('| workload | A median ms | B median ms | B/A | A CPU µs/req | B CPU µs/req | B/A |');
    console.log('|---|---|---|---|---|---|---|');
    for (const r of rows) {
      console.log(`| ${r.workload} | ${r.aMedianMs.toFixed(3)} | ${r.bMedianMs.toFixed(3)} | ${r.medianRatio.toFixed(2)} | ${r.aCpuUs.toFixed(0)} | ${r.bCpuUs.toFixed(0)} | ${r.cpuRatio.toFixed(2)} |`);
    }
    fs.mkdirSync(path.join('bench', 'results'), { recursive: true });
    fs.writeFileSync(path.join('bench', 'results', 'ab-latest.json'), JSON.stringify({ base, perRound: PER_ROUND, order: ORDER, rows }, null, 2));
  } finally {
    for (const a of agents) await stopProcess(a);
    for (const n of names) {
      const dom = await test.lookupDomain(n).catch(() => null);
      if (dom) {
        await test.destroy(dom).catch(() => {});
        await test.undefine(dom).catch(() => {});
      }
    }
    await test.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
