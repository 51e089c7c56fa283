/**
 * `npm run bench:history`: what the guests' performance history and per-domain metrics cost, side
 * by side in one run, with no libvirt (synthetic guests, the agent's own store and metrics code):
 *
 * - bytes per snapshot at 100 running guests (2 disks, 1 NIC each; a third of them busy) with their
 *   counters, against the same snapshots without counters, and the 30-day size of each (a snapshot
 *   every 30 s);
 * - a /metrics scrape with those 100 guests in the view, against one without per-domain metrics;
 * - a day of one guest's /stats (2,880 snapshots) read and turned into rates.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { guestRates } from '../src/inventory/rates.ts';
import type { DomainView } from '../src/model/domain-view.ts';
import type { InventorySnapshot } from '../src/model/inventory.ts';
import { AgentMetrics } from '../src/ops/metrics.ts';
import { openDatabase, type Database } from '../src/store/db.ts';
import { upgradeSchema } from '../src/store/schema.ts';
import { SqliteSnapshotStore } from '../src/store/snapshots.ts';
import { spread } from './lib/stats.ts';

const GUESTS = 100;
const SNAPSHOTS = Number(process.env.BENCH_SNAPSHOTS ?? 600);
const PER_30_DAYS = 30 * 24 * 3600 / 30;
const log = (msg: string) => process.stderr.write(`history-bench: ${msg}\n`);

const HOST = {
  sysinfo: { Uptime: 1_000_000_000_000n, Loads: [0.5, 0.4, 0.3] as [number, number, number], Procs: 300, TotalRam: 64e6, FreeRam: 32e6, SharedRam: 1e5, BufferRam: 1e6, TotalSwap: 0, FreeSwap: 0, TotalHighRam: 0, FreeHighRam: 0 },
  node: { model: 'x86_64', memoryKiB: 67_108_864n, cpus: 32, mhz: 2600, nodes: 1, sockets: 1, cores: 16, threads: 2 },
  libvirt: { hostname: 'bench', uri: 'qemu:///system', type: 'QEMU', hypervisorVersion: 7_002_000n, libVersion: 9_000_000n },
} as unknown as InventorySnapshot['host'];

/** Guest g at snapshot k: a third busy (CPU, disk and NIC counters grow), the rest idle. */
function guest(g: number, k: number, withCounters: boolean): DomainView {
  const busy = g % 3 === 0;
  const t = BigInt(k);
  const cpu = 1_000_000_000_000n + BigInt(g) * 1_000_000n + t * (busy ? 29_000_000_000n : 150_000_000n);
  const grow = (perSnapshot: bigint) => (busy ? t * perSnapshot : t * (perSnapshot / 1000n));
  return {
    domain: { name: `guest-${g}`, uuid: Buffer.from(g.toString(16).padStart(32, '0'), 'hex'), id: g + 1 }, active: true,
    state: 1, reason: 1, stateText: 'running', reasonText: 'booted', vcpus: 2, memoryKiB: 4_194_304n, maxMemoryKiB: 4_194_304n, cpuTimeNs: cpu,
    persistent: true, autostart: false,
    ...(withCounters && {
      counters: {
        cpuTimeNs: cpu,
        memory: { actualKiB: 4_194_304n, unusedKiB: 2_000_000n + BigInt(g), availableKiB: 3_000_000n, usableKiB: null, rssKiB: 4_300_000n },
        disks: ['vda', 'vdb'].map((name, i) => ({ name, readBytes: grow(40_960n) * BigInt(i + 1), writeBytes: grow(1_048_576n), readRequests: grow(10n), writeRequests: grow(256n) })),
        nics: [{ name: `vnet${g}`, rxBytes: grow(150_000n), txBytes: grow(90_000n), rxPackets: grow(120n), txPackets: grow(80n) }],
      },
    }),
  };
}

const usedBytes = (db: Database) => {
  db.pragma('wal_checkpoint(TRUNCATE)');
  return (db.pragma('page_count', { simple: true }) as number - (db.pragma('freelist_count', { simple: true }) as number)) * (db.pragma('page_size', { simple: true }) as number);
};

/** Bytes per snapshot of SNAPSHOTS snapshots of the guests into a file database. */
function bytesPerSnapshot(dir: string, withCounters: boolean): { bytes: number; store: SqliteSnapshotStore } {
  const db = openDatabase(path.join(dir, `${withCounters ? 'with' : 'without'}.db`));
  upgradeSchema(db);
  const store = new SqliteSnapshotStore(db);
  store.record({ takenAt: 0, durationMs: 1, host: HOST, domains: Array.from({ length: GUESTS }, (_, g) => guest(g, 0, withCounters)) });
  const base = usedBytes(db);
  for (let k = 1; k <= SNAPSHOTS; k++) {
    store.record({ takenAt: k * 30_000, durationMs: 1, host: HOST, domains: Array.from({ length: GUESTS }, (_, g) => guest(g, k, withCounters)) });
  }
  return { bytes: (usedBytes(db) - base) / SNAPSHOTS, store };
}

async function scrapeMs(withDomains: boolean): Promise<number[]> {
  const views = Array.from({ length: GUESTS }, (_, g) => guest(g, 100, true));
  const metrics = new AgentMetrics({
    version: 'bench', libvirtState: () => 'connected', actionsInFlight: () => 0, domainStates: async () => views,
    sysinfo: async () => HOST.sysinfo, ...(withDomains && { domainViews: () => views }),
  }, []);
  const times: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t0 = performance.now();
    await metrics.scrape();
    times.push(performance.now() - t0);
  }
  return times.slice(20);
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gvh-history-bench-'));
  try {
    log(`${GUESTS} guests, ${SNAPSHOTS} snapshots each way`);
    const without = bytesPerSnapshot(dir, false);
    const withCounters = bytesPerSnapshot(dir, true);
    const [plain, perDomain] = [await scrapeMs(false), await scrapeMs(true)];
    const plainMs = spread(plain).median;
    const domainMs = spread(perDomain).median;
    const t0 = performance.now();
    const samples = withCounters.store.guestSamples('guest-0', 0, SNAPSHOTS * 30_000)!;
    const rates = guestRates(samples, 0, SNAPSHOTS * 30_000, 300_000);
    const statsMs = performance.now() - t0;
    const mib = (b: number) => (b / 1024 / 1024).toFixed(0);
    const rows = [
      ['bytes per snapshot, 100 guests, without counters', without.bytes.toFixed(0), `${mib(without.bytes * PER_30_DAYS)} MiB / 30 days`],
      ['bytes per snapshot, 100 guests, with counters', withCounters.bytes.toFixed(0), `${mib(withCounters.bytes * PER_30_DAYS)} MiB / 30 days`],
      ['ratio with/without', (withCounters.bytes / without.bytes).toFixed(2), ''],
      ['/metrics scrape, 100 guests, ms (median)', domainMs.toFixed(2), `p90 ${spread(perDomain).p90.toFixed(2)}`],
      ['/metrics scrape without per-domain metrics, ms (median)', plainMs.toFixed(2), `ratio ${(domainMs / plainMs).toFixed(2)}`],
      [`/stats of one guest over ${SNAPSHOTS} snapshots, ms`, statsMs.toFixed(1), `${rates.length} points`],
    ];
    for (const [what, value, note] of rows) process.stdout.write(`${what!.padEnd(58)} ${value!.padStart(10)}  ${note}\n`);
    fs.mkdirSync('bench/results', { recursive: true });
    fs.writeFileSync('bench/results/history-latest.json', `${JSON.stringify({ guests: GUESTS, snapshots: SNAPSHOTS, bytesWithout: without.bytes, bytesWith: withCounters.bytes, scrapeMs: domainMs, scrapePlainMs: plainMs, statsMs }, null, 2)}\n`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
