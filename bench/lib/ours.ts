/**
 * Our side of the benchmark: the same workloads as bench/libvirt_c_bench.py, run on govirthost's
 * pure-TypeScript client in this process.
 */
import { Libvirt, LibvirtClient, StatsGroup, summarize } from '../../src/libvirt/index.ts';
import { Proc } from '../../src/libvirt/procedures.ts';
import type { DomainRef } from '../../src/libvirt/types.ts';
import { LATENCY_KEYS, THROUGHPUT_KEYS, warmupCount, type LatencyKey, type RoundPlan, type SideResult, type ThroughputPlan } from './plan.ts';
import { RawLibvirtSocket } from './raw-socket.ts';

/** What our workloads run against: one open client, the XML domain and a raw socket. */
export interface OurContext {
  uri: string;
  socketPath: string;
  remoteUri: string;
  lv: Libvirt;
  /** The client under `lv`, for the workloads that time one raw call. */
  client: LibvirtClient;
  xmlDomain: DomainRef;
  raw: RawLibvirtSocket;
}

type Op = () => Promise<unknown>;

/** Opens everything a round needs; the caller closes it with closeContext. */
export async function openContext(uri: string, socketPath: string, remoteUri: string, xmlDomainName: string): Promise<OurContext> {
  const client = new LibvirtClient(uri);
  await client.connect();
  const lv = new Libvirt(client);
  const xmlDomain = await lv.lookupDomain(xmlDomainName);
  const raw = await RawLibvirtSocket.open(socketPath, remoteUri);
  return { uri, socketPath, remoteUri, lv, client, xmlDomain, raw };
}

/** Closes the context's connections. */
export async function closeContext(ctx: OurContext): Promise<void> {
  await ctx.raw.close();
  await ctx.lv.close();
}

/** The operation each latency workload times once per iteration. */
export function latencyOps(ctx: OurContext): Record<LatencyKey, Op> {
  const { lv } = ctx;
  return {
    list_stats: () => lv.listDomainSummaries(),
    list_state_only: async () => (await lv.domainStats(StatsGroup.STATE)).map(summarize),
    list_naive: async () => {
      for (const dom of await lv.listDomains()) await lv.domainState(dom);
    },
    xml: () => lv.domainXml(ctx.xmlDomain),
    hostname: () => ctx.client.call(Proc.CONNECT_GET_HOSTNAME, undefined),
    raw: () => ctx.raw.hostname(),
    connect: async () => {
      const client = new LibvirtClient(ctx.uri);
      await client.connect();
      await client.close();
    },
    raw_connect: async () => {
      const raw = await RawLibvirtSocket.open(ctx.socketPath, ctx.remoteUri);
      await raw.close();
    },
  };
}

/** Ours only: the naive listing with the per-domain calls pipelined instead of awaited one by one. */
export function pipelinedListOp(lv: Libvirt): Op {
  return async () => {
    const doms = await lv.listDomains();
    await Promise.all(doms.map((d) => lv.domainState(d)));
  };
}

/** Runs `op` `iters` times and returns each iteration's duration in ns. */
export async function timeEach(op: Op, iters: number): Promise<number[]> {
  const out = new Array<number>(iters);
  for (let i = 0; i < iters; i++) {
    const t0 = process.hrtime.bigint();
    await op();
    out[i] = Number(process.hrtime.bigint() - t0);
  }
  return out;
}

/** One throughput batch: `inflight` loops each making `perWorker` sequential calls, all on one connection. */
async function batch(client: LibvirtClient, tp: ThroughputPlan): Promise<void> {
  const worker = async () => {
    for (let i = 0; i < tp.perWorker; i++) await client.call(Proc.CONNECT_GET_HOSTNAME, undefined);
  };
  await Promise.all(Array.from({ length: tp.inflight }, worker));
}

/** Times `count` batches; returns each batch's duration in ns. */
export async function timeBatches(client: LibvirtClient, tp: ThroughputPlan, count: number): Promise<number[]> {
  return timeEach(() => batch(client, tp), count);
}

/** One round of every workload: warm-up pass, RSS, measured pass, RSS. */
export async function runOurRound(ctx: OurContext, plan: RoundPlan): Promise<SideResult> {
  const ops = latencyOps(ctx);
  for (const key of LATENCY_KEYS) await timeEach(ops[key], warmupCount(plan[key], plan));
  for (const key of THROUGHPUT_KEYS) await timeBatches(ctx.client, plan[key], 1);
  const pipelined = pipelinedListOp(ctx.lv);
  await timeEach(pipelined, warmupCount(plan.list_naive, plan));
  const rssWarm = process.memoryUsage().rss;
  const samples: SideResult['samples'] = {};
  for (const key of LATENCY_KEYS) samples[key] = await timeEach(ops[key], plan[key]);
  for (const key of THROUGHPUT_KEYS) samples[key] = await timeBatches(ctx.client, plan[key], plan[key].batches);
  samples.list_pipelined = await timeEach(pipelined, plan.list_naive);
  const domainsSeen = (await ctx.lv.listDomainSummaries()).length;
  return { samples, rssWarm, rssEnd: process.memoryUsage().rss, domainsSeen };
}
