/**
 * What each side runs, per round: workload keys and iteration counts. The same plan object is
 * passed to our workloads and (as JSON) to the Python/C-library script, so both do the same work.
 */

/** One throughput measurement: `batches` timed batches of `perWorker` calls on each of `inflight` workers. */
export interface ThroughputPlan { batches: number; perWorker: number; inflight: number }

/** Iterations per round for each workload (0 skips it); warm-up runs `warmupFraction` of each first. */
export interface RoundPlan {
  list_stats: number;
  list_state_only: number;
  list_naive: number;
  xml: number;
  hostname: number;
  raw: number;
  connect: number;
  raw_connect: number;
  tput_1: ThroughputPlan;
  tput_64: ThroughputPlan;
  warmupFraction: number;
}

/** Timed-sample workloads (per-iteration ns); throughput ones are per-batch ns. */
export const LATENCY_KEYS = ['list_stats', 'list_state_only', 'list_naive', 'xml', 'hostname', 'raw', 'connect', 'raw_connect'] as const;
/** Workload keys whose samples are per-batch durations. */
export const THROUGHPUT_KEYS = ['tput_1', 'tput_64'] as const;

export type LatencyKey = (typeof LATENCY_KEYS)[number];
export type ThroughputKey = (typeof THROUGHPUT_KEYS)[number];
/** Ours only: the naive listing with its per-domain calls pipelined (no C-library counterpart). */
export type OursOnlyKey = 'list_pipelined';
export type WorkloadKey = LatencyKey | ThroughputKey | OursOnlyKey;

/** Raw samples of one side for one round: ns per iteration (or per batch) by workload, plus RSS. */
export interface SideResult {
  samples: Partial<Record<WorkloadKey, number[]>>;
  rssWarm: number;
  rssEnd: number;
  domainsSeen: number;
}

/** How many rounds each side runs per N; the sides alternate (ABBA…) so drift hits both alike. */
export const ROUNDS = 10;

/** The per-round plan for N domains; `scale` < 1 shortens everything (for quick trial runs). */
export function planFor(n: number, scale = 1): RoundPlan {
  const it = (total: number) => Math.max(3, Math.round((total * scale) / ROUNDS));
  const batches = Math.max(2, Math.round((30 * scale) / ROUNDS));
  // The four stats groups cost the daemon ~2 ms per running domain, hence fewer list iterations.
  return {
    list_stats: it(n >= 100 ? 60 : n >= 20 ? 150 : 1000),
    list_state_only: it(n >= 100 ? 300 : n >= 20 ? 1000 : 2000),
    list_naive: it(n >= 100 ? 150 : n >= 20 ? 450 : 2000),
    xml: it(2000),
    hostname: it(2000),
    raw: it(2000),
    connect: it(300),
    raw_connect: it(300),
    tput_1: { batches, perWorker: 100, inflight: 1 },
    tput_64: { batches, perWorker: 20, inflight: 64 },
    warmupFraction: 0.1,
  };
}

/** Number of warm-up iterations for a workload of `iters` iterations. */
export function warmupCount(iters: number, plan: RoundPlan): number {
  return Math.max(3, Math.round(iters * plan.warmupFraction));
}
