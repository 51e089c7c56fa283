/** Helpers for the inventory's HTTP and integration tests. */
import type { BackgroundOptions } from '../../src/jobs/background.ts';
import type { TestApp } from './app.ts';

/** Snapshots only when a test asks (and after events): the cron never fires during a run. */
export const QUIET: BackgroundOptions = {
  snapshots: { schedule: '0 0 0 1 1 *', debounceMs: 200, maxDelayMs: 1000 },
  retention: { snapshotRetentionMs: 14 * 86_400_000, auditRetentionMs: null },
};

/** Counts the libvirt calls the app makes from now on. */
export function countLibvirtCalls(t: TestApp): () => number {
  const start = t.libvirtCalls();
  return () => t.libvirtCalls() - start;
}

/** Polls `probe` every 10 ms until it holds; resolves with the ms it took, fails after timeoutMs. */
export async function waitUntil(probe: () => Promise<boolean> | boolean, timeoutMs: number): Promise<number> {
  const started = performance.now();
  while (!(await probe())) {
    if (performance.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return performance.now() - started;
}
