/**
 * Runs one peer-to-peer migration: the MIGRATE_PERFORM3_PARAMS call blocks until it ends, so its
 * progress is polled meanwhile with DOMAIN_GET_JOB_STATS on the same connection (pipelined), and a
 * timeout aborts the job (DOMAIN_ABORT_JOB), which makes the migration fail with the guest left
 * running on the source.
 */
import type { Deps } from '../deps.ts';
import type { DomainRef } from '../libvirt/index.ts';
import { migrateFlags, migrateParams, type MigrateOptions } from './options.ts';
import { jobProgress, type JobProgress } from './progress.ts';

/** How often progress is read while a migration runs. */
export const PROGRESS_INTERVAL_MS = 250;

/** How the migration call ended. */
export interface Performed {
  error: unknown;
  /** The last progress read while it ran (null if it ended before the first read). */
  progress: JobProgress | null;
  progressReads: number;
  abortedAfterMs: number | null;
  durationMs: number;
}

/** Migrates `dom` to `uri`; never throws the migration's own error (it is in `error`). */
export async function performMigration(deps: Deps, dom: DomainRef, uri: string, o: MigrateOptions): Promise<Performed> {
  const lv = deps.libvirt;
  const started = performance.now();
  const state = { done: false, progress: null as JobProgress | null, reads: 0, abortedAfterMs: null as number | null };
  const call = lv.migrate(dom, { destinationUri: uri, flags: migrateFlags(o), params: migrateParams(o) })
    .then(() => null, (err: unknown) => err ?? new Error('migration failed'));
  const ended = call.then(() => { state.done = true; });
  const timer = o.timeout === undefined ? undefined : setTimeout(() => {
    state.abortedAfterMs = Math.round(performance.now() - started);
    lv.abortJob(dom).catch((err) => deps.log.warn({ err, domain: dom.name }, 'aborting the migration job failed'));
  }, o.timeout * 1000);
  const polling = pollProgress(deps, dom, state, ended);
  const error = await call;
  clearTimeout(timer);
  await polling;
  return { error, progress: state.progress, progressReads: state.reads, abortedAfterMs: state.abortedAfterMs, durationMs: Math.round(performance.now() - started) };
}

async function pollProgress(deps: Deps, dom: DomainRef, state: { done: boolean; progress: JobProgress | null; reads: number }, ended: Promise<void>): Promise<void> {
  while (!state.done) {
    await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, PROGRESS_INTERVAL_MS).unref())]);
    if (state.done) return;
    try {
      const { type, stats } = await deps.libvirt.jobStats(dom);
      const progress = jobProgress(type, stats);
      if (progress && !state.done) {
        state.progress = progress;
        state.reads++;
      }
    } catch {
      // The job (or the domain, once migrated) may be gone between the call and the reply.
    }
  }
}
