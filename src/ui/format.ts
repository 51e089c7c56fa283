/** Text formats the pages share (the client script formats live updates the same way). */

/** "3 d 4 h 5 min" from seconds. */
export function duration(seconds: number): string {
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return [d && `${d} d`, (d || h) && `${h} h`, `${m} min`].filter(Boolean).join(' ');
}

/** MiB, rounded, from KiB; '–' when unknown. */
export function mib(kib: number | bigint | null | undefined): string {
  return kib === null || kib === undefined ? '–' : String(Math.round(Number(kib) / 1024));
}

/** Seconds with one decimal from nanoseconds; '–' when unknown. */
export function cpuSeconds(ns: number | bigint | null | undefined): string {
  return ns === null || ns === undefined ? '–' : (Number(ns) / 1e9).toFixed(1);
}

/** A value or '–'. */
export function dash(v: unknown): string {
  return v === null || v === undefined ? '–' : String(v);
}

/** An ISO time without milliseconds, in UTC. */
export function isoTime(ms: number | null): string {
  return ms === null ? '–' : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A CSS class fragment for a state ("shut off" → "shut-off"). */
export function stateClass(state: string): string {
  return state.replace(/[^a-z]+/g, '-');
}
