/**
 * Runs one peer-to-peer migration: the MIGRATE_PERFORM3_PARAMS call blocks until it ends, so its
 * progress is polled meanwhile with DOMAIN_GET_JOB_STATS on the same connection (pipelined), and a
 * timeout or a cancel (the operation's signal) aborts the job (DOMAIN_ABORT_JOB), which makes the
 * migration fail with the guest left running on the source. Each progress read is also reported.
 */
import type { MigrationHost } from './host.ts';
import { isOperationInvalid, type DomainRef } from '../libvirt/index.ts';
import { migrateFlags, migrateParams, type MigrateOptions } from './options.ts';
import { jobProgress, type JobProgress } from './progress.ts';

/** How often progress is read (and a pending abort retried) while a migration runs. */
export const PROGRESS_INTERVAL_MS = 250;

/** How the migration call ended. */
export interface Performed {
  error: unknown;
  /** The last progress read while it ran (null if it ended before the first read). */
  progress: JobProgress | null;
  progressReads: number;
  /** When the timeout or the cancel fired (ms after the start), or null when neither did. */
  abortedAfterMs: number | null;
  durationMs: number;
}

interface Run { done: boolean; ended: Promise<void>; progress: JobProgress | null; reads: number }

/** How a running migration is watched: the operation's signal, and where its progress goes. */
export interface MigrationWatch {
  signal?: AbortSignal;
  report?: (progress: JobProgress) => void;
}

/** Migrates `dom` to `uri`; never throws the migration's own error (it is in `error`). */
export async function performMigration(deps: MigrationHost, dom: DomainRef, uri: string, o: MigrateOptions, watch: MigrationWatch = {}): Promise<Performed> {
  const started = performance.now();
  const call = deps.libvirt.migrate(dom, { destinationUri: uri, flags: migrateFlags(o), params: migrateParams(o) })
    .then(() => null, (err: unknown) => err ?? new Error('migration failed'));
  const run: Run = { done: false, ended: call.then(() => undefined), progress: null, reads: 0 };
  void run.ended.then(() => { run.done = true; });
  let abortedAfterMs: number | null = null;
  const abort = () => {
    if (abortedAfterMs !== null) return;
    abortedAfterMs = Math.round(performance.now() - started);
    void abortUntilDone(deps, dom, run);
  };
  const timer = o.timeout === undefined ? undefined : setTimeout(abort, o.timeout * 1000);
  if (watch.signal?.aborted) abort();
  watch.signal?.addEventListener('abort', abort, { once: true });
  const polling = pollProgress(deps, dom, run, watch.report);
  const error = await call;
  clearTimeout(timer);
  watch.signal?.removeEventListener('abort', abort);
  await polling;
  return { error, progress: run.progress, progressReads: run.reads, abortedAfterMs, durationMs: Math.round(performance.now() - started) };
}

/** Resolves after one interval, or as soon as the migration call ends. */
function tick(run: Run): Promise<unknown> {
  return Promise.race([run.ended, new Promise((resolve) => setTimeout(resolve, PROGRESS_INTERVAL_MS).unref())]);
}

async function pollProgress(deps: MigrationHost, dom: DomainRef, run: Run, report?: (p: JobProgress) => void): Promise<void> {
  while (!run.done) {
    await tick(run);
    if (run.done) return;
    try {
      const { type, stats } = await deps.libvirt.jobStats(dom);
      const progress = jobProgress(type, stats);
      if (progress && !run.done) {
        run.progress = progress;
        run.reads++;
        report?.(progress);
      }
    } catch {
      // The job (or the domain, once migrated) may be gone between the call and the reply.
    }
  }
}

// A job that has not started yet cannot be aborted (error 55, no job): keep asking until it can be,
// or the migration call has ended.
async function abortUntilDone(deps: MigrationHost, dom: DomainRef, run: Run): Promise<void> {
  while (!run.done) {
    try {
      await deps.libvirt.abortJob(dom);
      return;
    } catch (err) {
      if (!isOperationInvalid(err)) {
        deps.log.warn({ err, domain: dom.name }, 'aborting the migration job failed');
        return;
      }
    }
    await tick(run);
  }
}
