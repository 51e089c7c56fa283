/**
 * Every guest's CPU use over a recent window (default the last hour), from the snapshots' CPU times
 * in one pass: the overview's sparklines. Per guest, the percent of one vCPU between each two
 * consecutive snapshots that both saw it running.
 */
import * as v from 'valibot';
import { Time } from './query-schemas.ts';
import { defineAction } from './types.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export default defineAction({
  name: 'cpu-history',
  kind: 'read',
  role: 'viewer',
  summary: "Every guest's CPU use (100 = one vCPU) between consecutive snapshots over a recent window (at most a day)",
  input: v.strictObject({ since: v.optional(Time) }),
  async run(q, { deps }) {
    const now = deps.clock.now();
    const since = Math.max(q.since ?? now - HOUR_MS, now - DAY_MS);
    const snapshots = deps.inventory.snapshots.cpuTimesSince(since);
    const domains: Record<string, Array<{ at: string; cpuPercent: number }>> = {};
    for (let i = 1; i < snapshots.length; i++) {
      const before = snapshots[i - 1]!;
      const now2 = snapshots[i]!;
      const seconds = (now2.at - before.at) / 1000;
      for (const [name, ns] of now2.times) {
        const was = before.times.get(name);
        if (was === undefined || ns < was || seconds <= 0) continue;
        (domains[name] ??= []).push({ at: new Date(now2.at).toISOString(), cpuPercent: (Number(ns - was) / 1e9 / seconds) * 100 });
      }
    }
    return { data: { since: new Date(since).toISOString(), domains } };
  },
});
