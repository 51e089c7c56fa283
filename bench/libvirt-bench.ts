/**
 * `npm run bench` (through scripts/bench.sh, which brings up private host A): our pure-TypeScript
 * libvirt client against the C library (libvirt-python, bench/libvirt_c_bench.py) and virsh, for
 * 1, 20 and 100 defined domains (a quarter running), side by side and in alternating rounds.
 * Prints one table and writes bench/results/latest.json.
 *
 * Env: GVH_A_URI, GVH_VIRT_TYPE (from hosts.sh); BENCH_SCALE (default 1) shortens every loop.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Libvirt, LibvirtClient, parseLibvirtUri } from '../src/libvirt/index.ts';
import { PYTHON, baselineRss, runCRound, timeVirshList, type BaselineRss, type CResult, type CTarget } from './lib/external.ts';
import { BenchDomains } from './lib/fixtures.ts';
import { closeContext, openContext, runOurRound } from './lib/ours.ts';
import { LATENCY_KEYS, ROUNDS, planFor, type RoundPlan, type SideResult, type WorkloadKey } from './lib/plan.ts';
import { makeRow, renderTable, targetSummary, withMsTarget, type Row } from './lib/report.ts';
import { ratesPerSecond, spread } from './lib/stats.ts';

const SIZES = [1, 20, 100];
const VIRSH_RUNS = 50;
const EXPECTED_HOST = 'gvh-a';
const RESULTS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results', 'latest.json');

/** Every round's raw results at one N. */
interface SizeResult { n: number; plan: RoundPlan; ours: SideResult[]; c: CResult[]; virsh: number[] }

const log = (msg: string) => process.stderr.write(`bench: ${msg}\n`);

function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set; run through 'npm run bench' (scripts/bench.sh starts host A)`);
  return v;
}

/** Both sides' rounds at one N, alternating which goes first; virsh runs between rounds. */
async function measureSize(n: number, uri: string, names: string[], scale: number): Promise<SizeResult> {
  const plan = planFor(n, scale);
  const endpoint = parseLibvirtUri(uri);
  if (endpoint.transport !== 'unix') throw new Error('the benchmark expects a unix-socket URI');
  const target: CTarget = { uri, socketPath: endpoint.path, remoteUri: endpoint.remoteUri, names, xmlDomain: names[0]! };
  const ctx = await openContext(uri, endpoint.path, endpoint.remoteUri, target.xmlDomain);
  const result: SizeResult = { n, plan, ours: [], c: [], virsh: [] };
  const virshPerRound = Math.max(2, Math.ceil((VIRSH_RUNS * scale) / ROUNDS));
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const ours = async () => { result.ours.push(await runOurRound(ctx, plan)); };
      const c = async () => { result.c.push(await runCRound(target, plan)); };
      for (const side of round % 2 === 0 ? [ours, c] : [c, ours]) await side();
      result.virsh.push(...timeVirshList(uri, virshPerRound, names));
      log(`N=${n}: round ${round + 1}/${ROUNDS} done`);
    }
  } finally {
    await closeContext(ctx);
  }
  checkSeen(result);
  return result;
}

function checkSeen(r: SizeResult): void {
  for (const side of [...r.ours, ...r.c]) {
    if (side.domainsSeen !== r.n) throw new Error(`N=${r.n}: a side listed ${side.domainsSeen} domains`);
  }
}

function pooled(sides: SideResult[], key: WorkloadKey): number[] | undefined {
  const all = sides.flatMap((s) => s.samples[key] ?? []);
  return all.length > 0 ? all : undefined;
}

function rates(sides: SideResult[], plan: RoundPlan, key: 'tput_1' | 'tput_64'): number[] | undefined {
  const ns = pooled(sides, key);
  return ns && ratesPerSecond(ns, plan[key].inflight * plan[key].perWorker);
}

/**
 * Per round, median client call minus median raw-socket call (same process, back to back): the
 * client library's own cost per call, with the machine's round-to-round swings cancelled out.
 */
function clientOverhead(sides: SideResult[]): number[] {
  return sides.map((s) => spread(s.samples.hostname ?? []).median - spread(s.samples.raw ?? []).median);
}

/** The table rows for one N. */
function rowsFor(r: SizeResult): Row[] {
  const { n, ours, c, plan } = r;
  const both = (key: WorkloadKey) => [pooled(ours, key), pooled(c, key)] as const;
  const list = makeRow('list + states, 1 RPC (GET_ALL_DOMAIN_STATS)', n, 'time', ...both('list_stats'), { virsh: r.virsh, callTarget: true });
  const stateOnly = makeRow('list + states, 1 RPC, STATE group only', n, 'time', ...both('list_state_only'), { callTarget: true });
  return [
    n === 100 ? withMsTarget(list) : list,
    n === 100 ? withMsTarget(stateOnly) : stateOnly,
    makeRow('list + state() per domain, sequential', n, 'time', ...both('list_naive'), { callTarget: true }),
    makeRow('list + state() per domain, pipelined (ours only)', n, 'time', pooled(ours, 'list_pipelined'), undefined),
    makeRow('one domain XML (GET_XML_DESC)', n, 'time', ...both('xml'), { callTarget: true }),
    makeRow('smallest call (GET_HOSTNAME)', n, 'time', ...both('hostname'), { callTarget: true }),
    makeRow('raw socket GET_HOSTNAME, no client (Node vs Python)', n, 'time', ...both('raw')),
    makeRow('client overhead/call: GET_HOSTNAME − raw, per round', n, 'time', clientOverhead(ours), clientOverhead(c)),
    makeRow('GET_HOSTNAME calls/s, 1 in flight', n, 'rate', rates(ours, plan, 'tput_1'), rates(c, plan, 'tput_1'), { callTarget: true }),
    makeRow('GET_HOSTNAME calls/s, 64 in flight', n, 'rate', rates(ours, plan, 'tput_64'), rates(c, plan, 'tput_64'), { callTarget: true }),
    makeRow('connect + open + close', n, 'time', ...both('connect'), { callTarget: true }),
    makeRow('raw socket connect+AUTH_LIST+OPEN+CLOSE (Node vs Python)', n, 'time', ...both('raw_connect')),
    makeRow('client RSS after warm-up', n, 'bytes', [ours[0]!.rssWarm], c.map((s) => s.rssWarm)),
    makeRow('client RSS after the runs', n, 'bytes', [ours.at(-1)!.rssEnd], c.map((s) => s.rssEnd)),
  ];
}

/** Context rows: idle RSS of bare interpreters and of each with its client library loaded. */
function baselineRows(b: BaselineRss): Row[] {
  const rows = [
    makeRow('idle RSS: empty interpreter (Node vs Python)', null, 'bytes', [b.node], [b.python]),
    makeRow('idle RSS: client lib loaded (node+tsx vs import libvirt)', null, 'bytes', [b.nodeTsxLib], [b.pythonLib]),
  ];
  if (b.nodeBundledLib !== null) {
    rows.push(makeRow('idle RSS: client lib precompiled, no tsx (vs import libvirt)', null, 'bytes', [b.nodeBundledLib], [b.pythonLib]));
  }
  return rows;
}

/** Opens the fixture client and refuses anything but the private host. */
async function openFixtureClient(uri: string): Promise<Libvirt> {
  const client = new LibvirtClient(uri);
  await client.connect();
  const lv = new Libvirt(client);
  const { hostname } = await lv.connectionInfo();
  if (hostname !== EXPECTED_HOST) {
    await client.close();
    throw new Error(`refusing to benchmark '${hostname}': expected the private host ${EXPECTED_HOST}`);
  }
  return lv;
}

/** Grows the domain set through every N and measures at each; always removes the domains. */
async function measureAll(lv: Libvirt, uri: string, scale: number): Promise<SizeResult[]> {
  const domains = new BenchDomains(lv, env('GVH_VIRT_TYPE'));
  const results: SizeResult[] = [];
  try {
    for (const n of SIZES) {
      const t0 = performance.now();
      await domains.grow(n);
      await domains.settle();
      log(`N=${n}: ${n} defined, ${Math.ceil(n / 4)} running (setup ${(performance.now() - t0).toFixed(0)} ms)`);
      results.push(await measureSize(n, uri, domains.names, scale));
    }
  } finally {
    log(`removed ${await domains.removeAll()} benchmark domains`);
  }
  return results;
}

/**
 * Per-round medians of each side and the median of the per-round ratios ours/C: pairing each of
 * our rounds with the C round next to it cancels slow drift in machine load.
 */
function perRound(r: SizeResult): Record<string, { ours: number[]; c: number[]; pairedRatio: number }> {
  const out: Record<string, { ours: number[]; c: number[]; pairedRatio: number }> = {};
  for (const key of LATENCY_KEYS) {
    const ours = r.ours.map((s) => spread(s.samples[key] ?? []).median);
    const c = r.c.map((s) => spread(s.samples[key] ?? []).median);
    out[key] = { ours, c, pairedRatio: spread(ours.map((o, i) => o / c[i]!)).median };
  }
  return out;
}

function writeJson(rows: Row[], results: SizeResult[], baseline: BaselineRss): void {
  const c = results[0]?.c[0];
  const meta = {
    date: new Date().toISOString(), host: os.hostname(), cpus: os.cpus().length, node: process.version,
    python: c?.python, python_binary: PYTHON, libvirtClientVersion: c?.libvirtVersion, virtType: process.env.GVH_VIRT_TYPE,
    loadavgAtEnd: os.loadavg(), rounds: ROUNDS, plans: Object.fromEntries(results.map((r) => [r.n, r.plan])), baselineRss: baseline,
  };
  fs.mkdirSync(path.dirname(RESULTS), { recursive: true });
  const rounds = Object.fromEntries(results.map((r) => [r.n, perRound(r)]));
  fs.writeFileSync(RESULTS, `${JSON.stringify({ meta, rows, perRoundMediansNs: rounds }, null, 2)}\n`);
}

async function main(): Promise<void> {
  const uri = env('GVH_A_URI');
  const scale = Number(process.env.BENCH_SCALE ?? '1');
  const started = performance.now();
  const lv = await openFixtureClient(uri);
  let results: SizeResult[];
  try {
    results = await measureAll(lv, uri, scale);
  } finally {
    await lv.close();
  }
  const baseline = baselineRss();
  const rows = [...results.flatMap(rowsFor), ...baselineRows(baseline)];
  const c = results[0]!.c[0]!;
  console.log(`\nours: govirthost TS client on Node ${process.version} | C lib: libvirt-python on libvirt ${c.libvirtVersion} (Python ${c.python}) | ${process.env.GVH_VIRT_TYPE} driver, ${os.cpus().length} CPUs, ${ROUNDS} alternating rounds per N, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
  console.log(renderTable(rows));
  const { passed, failed } = targetSummary(rows);
  console.log(`\ntargets: ${passed} PASS, ${failed.length} FAIL${failed.length ? `\n  FAIL: ${failed.join('\n  FAIL: ')}` : ''}`);
  console.log('ratio = ours/C time (for calls/s rows: C rate / our rate); 64 in flight: ours = 64 async call loops on one connection, C = 64 Python threads sharing one virConnect');
  writeJson(rows, results, baseline);
  log(`wrote ${path.relative(process.cwd(), RESULTS)} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
