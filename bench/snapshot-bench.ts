/**
 * Inventory figures (run by scripts/bench.sh after the other two, host A up): cached and fresh
 * seed GET vm side by side through the bundled agent with 20 and 100 QEMU domains (a quarter
 * running), at concurrency 1 and 32, and the cached answer's very bytes from a bare server (the
 * ceiling for that answer on this machine); then, in this process with the agent's own code, snapshot
 * duration and bytes per snapshot, and the database size for 30 days of a snapshot every 30 s.
 *
 * The size is measured, then extrapolated: K snapshots of the real domains are written to a file
 * database (WAL checkpointed, free pages not counted), and the growth per snapshot is multiplied
 * by 86,400. The same rows as one table row per domain per snapshot are measured for comparison.
 *
 * Env: GVH_A_URI, GVH_VIRT_TYPE. BENCH_SCALE shortens every loop.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readSysinfo } from '../src/host/sysinfo.ts';
import { createInventory } from '../src/inventory/index.ts';
import { takeSnapshot } from '../src/inventory/take.ts';
import type { InventorySnapshot } from '../src/model/inventory.ts';
import { Libvirt, LibvirtClient } from '../src/libvirt/index.ts';
import { openDatabase, type Database } from '../src/store/db.ts';
import { upgradeSchema } from '../src/store/schema.ts';
import { bundle, latency, loaded, request, startProcess, stopProcess, timeRequests, type Agent, type Loaded } from './lib/agent.ts';
import { BenchDomains } from './lib/fixtures.ts';
import { spread } from './lib/stats.ts';

const SCALE = Number(process.env.BENCH_SCALE ?? '1');
const SEQUENTIAL = Math.max(50, Math.round(2000 * SCALE));
const LOAD_SECONDS = Math.max(1, Math.round(5 * SCALE));
const SNAPSHOTS = Math.max(100, Math.round(200 * SCALE)); // fewer: below the resolution of 4 KiB pages
const PER_30_DAYS = 30 * 24 * 3600 / 30;
const CACHED = JSON.stringify({ target: 'vm', domain: '', source: 'cached' });
const FRESH = JSON.stringify({ target: 'vm', domain: '', source: 'fresh' });

interface HttpRow { workload: string; n: number; source: 'cached' | 'fresh' | 'bare server, same bytes'; c1Median: number; c1P90: number; c32Rps: number; c32P50: number; cpuUs: number }
interface SizeRow { n: number; running: number; takeMedianMs: number; takeP90Ms: number; writeMedianMs: number; bytesPerSnapshot: number; naiveBytesPerSnapshot: number }

const log = (msg: string) => process.stderr.write(`snapshot-bench: ${msg}\n`);

function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set; run through 'npm run bench'`);
  return v;
}

/** What is measured: each workload cached and fresh, c=1 only where `sequential` is set. */
const WORKLOADS = [
  { workload: 'seed GET vm', sequential: true, cached: { method: 'GET', path: '/', body: CACHED }, fresh: { method: 'GET', path: '/', body: FRESH } },
  { workload: 'REST GET /v1/domains', sequential: false, cached: { method: 'GET', path: '/v1/domains?source=cached' }, fresh: { method: 'GET', path: '/v1/domains?source=fresh' } },
] as const;

const median = (xs: number[]) => spread(xs).median;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * Cached and fresh side by side against a freshly started agent, in ABBA rounds so that the
 * machine's drift (it is shared) falls on both alike.
 */
async function measureHttp(agentJs: string, floorJs: string, n: number, dbDir: string): Promise<HttpRow[]> {
  const port = 18300 + n;
  const agent = await startProcess([agentJs, '--libvirt-uri', env('GVH_A_URI'), '--listen', `127.0.0.1:${port}`,
    '--db', path.join(dbDir, `agent-${n}.db`), '--log-level', 'warn'], port);
  try {
    await waitForSnapshot(agent, n);
    for (const w of WORKLOADS) for (const req of [w.cached, w.fresh]) await loaded(agent, [{ ...req }], 1); // warm-up (JIT, connections)
    const rows: HttpRow[] = [];
    for (const w of WORKLOADS) {
      const c1: Record<string, number[]> = { cached: [], fresh: [] };
      const c32: Record<string, Loaded[]> = { cached: [], fresh: [] };
      for (const source of ['cached', 'fresh', 'fresh', 'cached'] as const) {
        const req = w[source];
        if (w.sequential) c1[source]!.push(...await timeRequests(SEQUENTIAL / 2, () => request(port, req.method, req.path, 'body' in req ? req.body : undefined)));
        c32[source]!.push(await loaded(agent, [{ ...req }], LOAD_SECONDS));
      }
      for (const source of ['cached', 'fresh'] as const) {
        const lat = w.sequential ? latency(c1[source]!) : { median: NaN, p90: NaN };
        const runs = c32[source]!;
        rows.push({ workload: w.workload, n, source, c1Median: lat.median, c1P90: lat.p90, c32Rps: mean(runs.map((r) => r.rps)), c32P50: median(runs.map((r) => r.p50)), cpuUs: mean(runs.map((r) => r.cpuUs)) });
        log(`N=${n} ${w.workload} ${source}: c=1 median ${fmt(lat.median, 3)} ms, c=32 ${fmt(rows.at(-1)!.c32Rps, 0)} req/s`);
      }
    }
    rows.push(await measureSameBytes(floorJs, await request(port, 'GET', '/', CACHED), n, dbDir));
    return rows;
  } finally {
    await stopProcess(agent);
  }
}

/**
 * The ceiling for a cached answer on this machine: a bare Hono server sending the very bytes of the
 * agent's cached seed answer, loaded the same way.
 */
async function measureSameBytes(floorJs: string, body: string, n: number, dir: string): Promise<HttpRow> {
  const file = path.join(dir, `seed-vm-${n}.json`);
  fs.writeFileSync(file, body);
  const port = 18400 + n;
  const floor = await startProcess([floorJs, String(port), file], port);
  try {
    await loaded(floor, [{ method: 'GET', path: '/', body: CACHED }], 1);
    const runs = [await loaded(floor, [{ method: 'GET', path: '/', body: CACHED }], LOAD_SECONDS), await loaded(floor, [{ method: 'GET', path: '/', body: CACHED }], LOAD_SECONDS)];
    const row: HttpRow = { workload: 'seed GET vm', n, source: 'bare server, same bytes', c1Median: NaN, c1P90: NaN, c32Rps: mean(runs.map((r) => r.rps)), c32P50: median(runs.map((r) => r.p50)), cpuUs: mean(runs.map((r) => r.cpuUs)) };
    log(`N=${n} the same ${Buffer.byteLength(body)} bytes from a bare server: c=32 ${fmt(row.c32Rps, 0)} req/s`);
    return row;
  } finally {
    await stopProcess(floor);
  }
}

async function waitForSnapshot(agent: Agent, n: number): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const seen = (JSON.parse(await request(agent.port, 'GET', '/?target=vm&source=cached').catch(() => '{"domains":[]}')) as { domains: unknown[] }).domains.length;
    if (seen >= n) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the agent's view did not reach ${n} domains`);
}

/** Bytes the database holds in pages in use, after folding the WAL back in. */
function usedBytes(db: Database): number {
  db.pragma('wal_checkpoint(TRUNCATE)');
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const pages = (db.pragma('page_count', { simple: true }) as number) - (db.pragma('freelist_count', { simple: true }) as number);
  return pages * pageSize;
}

/** One row per domain per snapshot, keyed by (snapshot, domain): the obvious layout, for comparison. */
function naiveTable(db: Database): (snapshotId: number, s: InventorySnapshot) => void {
  db.exec(`CREATE TABLE naive (snapshot_id INTEGER, domain_id INTEGER, libvirt_id INTEGER, state INTEGER, reason INTEGER, vcpus INTEGER,
    memory_kib INTEGER, max_memory_kib INTEGER, cpu_time INTEGER, persistent INTEGER, autostart INTEGER, PRIMARY KEY (snapshot_id, domain_id)) WITHOUT ROWID`);
  const insert = db.prepare('INSERT INTO naive VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  return db.transaction((id: number, s: InventorySnapshot) => {
    s.domains.forEach((d, i) => insert.run(id, i + 1, d.domain.id, d.state, d.reason, d.vcpus, d.memoryKiB, d.maxMemoryKiB, d.cpuTimeNs, d.persistent ? 1 : 0, d.autostart ? 1 : 0));
  });
}

/** Takes SNAPSHOTS snapshots of host A into a file database: durations and bytes per snapshot. */
async function measureSnapshots(lv: Libvirt, n: number, dir: string): Promise<SizeRow> {
  const db = openDatabase(path.join(dir, `size-${n}.db`));
  const naiveDb = openDatabase(path.join(dir, `naive-${n}.db`));
  try {
    upgradeSchema(db);
    const inventory = createInventory(db);
    const writeNaive = naiveTable(naiveDb);
    const src = { libvirt: lv, host: { sysinfo: () => readSysinfo() }, clock: { now: () => Date.now() } };
    const first = await takeSnapshot(src);
    writeNaive(inventory.snapshots.record(first), first);
    const [base, naiveBase] = [usedBytes(db), usedBytes(naiveDb)];
    const take: number[] = [];
    const write: number[] = [];
    for (let i = 0; i < SNAPSHOTS; i++) {
      const snap = await takeSnapshot(src);
      const t0 = performance.now();
      const id = inventory.snapshots.record(snap);
      write.push(performance.now() - t0);
      take.push(snap.durationMs);
      writeNaive(id, snap);
    }
    const running = first.domains.filter((d) => d.active).length;
    return {
      n: first.domains.length, running, takeMedianMs: spread(take).median, takeP90Ms: spread(take).p90, writeMedianMs: spread(write).median,
      bytesPerSnapshot: (usedBytes(db) - base) / SNAPSHOTS, naiveBytesPerSnapshot: (usedBytes(naiveDb) - naiveBase) / SNAPSHOTS,
    };
  } finally {
    db.close();
    naiveDb.close();
  }
}

const fmt = (v: number, digits = 2) => (Number.isFinite(v) ? v.toFixed(digits) : '–');
const mib = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MiB`;

function table(head: string[], lines: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...lines.map(line)].join('\n');
}

function report(http: HttpRow[], sizes: SizeRow[]): string {
  const httpLines = http.map((r) => {
    const fresh = http.find((x) => x.workload === r.workload && x.n === r.n && x.source === 'fresh')!;
    const cached = r.source === 'cached';
    const ratio = r.source === 'fresh' ? '–' : `${fmt(r.c32Rps / fresh.c32Rps, 1)}x`;
    const seed = r.workload === 'seed GET vm';
    const targets = cached && seed ? `>10000 req/s: ${r.c32Rps > 10_000 ? 'PASS' : 'FAIL'}${r.n >= 100 ? `; >=10x fresh: ${r.c32Rps >= 10 * fresh.c32Rps ? 'PASS' : 'FAIL'}` : ''}` : '–';
    return [`${r.workload} ${r.source}`, String(r.n), fmt(r.c1Median, 3), fmt(r.c1P90, 3), fmt(r.c32Rps, 0), fmt(r.c32P50, 0), fmt(r.cpuUs, 0), ratio, targets];
  });
  const sizeLines = sizes.map((s) => [
    `${s.n} (${s.running} running)`, fmt(s.takeMedianMs), fmt(s.takeP90Ms), fmt(s.writeMedianMs, 3), fmt(s.bytesPerSnapshot, 0),
    mib(s.bytesPerSnapshot * PER_30_DAYS), fmt(s.naiveBytesPerSnapshot, 0), mib(s.naiveBytesPerSnapshot * PER_30_DAYS),
  ]);
  return [
    '', 'Cached vs fresh (agent as a process, keep-alive, loopback)',
    table(['workload', 'domains', 'c=1 median ms', 'c=1 p90 ms', 'c=32 req/s', 'c=32 p50 ms', 'CPU µs/req', 'vs fresh c=32', 'target'], httpLines),
    '', `Snapshots (${SNAPSHOTS} taken per row; bytes = database growth per snapshot, WAL checkpointed; 30 days = ${PER_30_DAYS} snapshots, extrapolated)`,
    table(['domains', 'take median ms', 'take p90 ms', 'write median ms', 'bytes/snapshot', '30 days × 30 s', 'one-row-per-domain bytes/snapshot', 'its 30 days'], sizeLines),
  ].join('\n');
}

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gvh-snapbench-'));
  const lv = new Libvirt(new LibvirtClient(env('GVH_A_URI'), { callTimeoutMs: 120_000 }));
  await lv.connect();
  const domains = new BenchDomains(lv, env('GVH_VIRT_TYPE'));
  const http: HttpRow[] = [];
  const sizes: SizeRow[] = [];
  try {
    const agentJs = await bundle('src/main.ts', 'agent');
    const floorJs = await bundle('bench/lib/floor-server.ts', 'floor');
    for (const n of [20, 100]) {
      await domains.grow(n);
      await domains.settle();
      http.push(...await measureHttp(agentJs, floorJs, n, tmp));
      sizes.push(await measureSnapshots(lv, n, tmp));
      log(`N=${n}: ${fmt(sizes.at(-1)!.bytesPerSnapshot, 0)} bytes per snapshot`);
    }
    console.log(report(http, sizes));
    fs.mkdirSync(path.join('bench', 'results'), { recursive: true });
    fs.writeFileSync(path.join('bench', 'results', 'snapshot-latest.json'), JSON.stringify({ scale: SCALE, http, sizes, snapshotsPer30Days: PER_30_DAYS }, null, 2));
  } finally {
    log(`removed ${await domains.removeAll()} domains`);
    await lv.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
