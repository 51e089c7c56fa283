/** Order statistics over raw samples, computed the same way for every side of the benchmark. */

/** Median and p10/p90 of a set of samples (same unit as the samples). */
export interface Spread { median: number; p10: number; p90: number; n: number }

/** The q-quantile (0..1) of ascending-sorted values, linearly interpolated between ranks. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return a + (b - a) * (pos - lo);
}

/** Median, p10 and p90 of the samples. */
export function spread(samples: readonly number[]): Spread {
  const sorted = [...samples].sort((x, y) => x - y);
  return { median: quantile(sorted, 0.5), p10: quantile(sorted, 0.1), p90: quantile(sorted, 0.9), n: sorted.length };
}

/** Turns per-batch durations (ns) into per-batch rates (calls per second). */
export function ratesPerSecond(batchNs: readonly number[], callsPerBatch: number): number[] {
  return batchNs.map((ns) => (callsPerBatch * 1e9) / ns);
}

/** Formats a duration given in ns with a unit that keeps 3 significant digits. */
export function formatNs(ns: number): string {
  if (!Number.isFinite(ns)) return '—';
  const abs = Math.abs(ns);
  if (abs < 1e3) return `${ns.toFixed(0)} ns`;
  if (abs < 1e6) return `${(ns / 1e3).toPrecision(3)} µs`;
  if (abs < 1e9) return `${(ns / 1e6).toPrecision(3)} ms`;
  return `${(ns / 1e9).toPrecision(3)} s`;
}

/** Formats a rate in calls per second. */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return '—';
  return perSecond >= 1e4 ? `${(perSecond / 1e3).toFixed(1)}k/s` : `${perSecond.toFixed(0)}/s`;
}

/** Formats a byte count in MiB. */
export function formatMiB(bytes: number): string {
  return Number.isFinite(bytes) ? `${(bytes / 1048576).toFixed(1)} MiB` : '—';
}
