/**
 * The snapshot job: on a cron schedule, at start (once libvirt answers), after reconnects, and
 * shortly after lifecycle events (debounced: a burst makes one run). Runs never overlap: a request
 * during a run queues one more run after it (its data may predate the change); a scheduled tick
 * during a run is skipped (the run under way is as fresh). Failed runs are stored with their error.
 */
import type { ScheduledTask } from 'node-cron';
import type { Deps } from '../deps.ts';
import { takeSnapshot } from '../inventory/take.ts';
import { scheduleJob } from './cron.ts';

/** When the job runs; the debounce figures have defaults. */
export interface SnapshotJobOptions {
  /** Cron expression, seconds first: every 30 s is `*\/30 * * * * *`. */
  schedule: string;
  /** A run follows the last of a burst of events by this long... */
  debounceMs?: number;
  /** ...but never later than this after the first. */
  maxDelayMs?: number;
  /** Told how each run ended (metrics). */
  onRun?: (outcome: SnapshotOutcome) => void;
}

/** How one run ended. */
export type SnapshotOutcome = { ok: true; id: number; durationMs: number } | { ok: false; id: number | null; error: string };

type JobDeps = Pick<Deps, 'libvirt' | 'host' | 'clock' | 'log' | 'inventory'>;

/** The scheduled, event-driven snapshot job. */
export class SnapshotJob {
  #task: ScheduledTask | null = null;
  #running: Promise<SnapshotOutcome> | null = null;
  #queued: Promise<SnapshotOutcome> | null = null;
  #debounce: NodeJS.Timeout | undefined;
  #burstStarted: number | null = null;
  #stopped = false;

  constructor(private readonly deps: JobDeps, private readonly options: SnapshotJobOptions) {}

  /** Starts the schedule; takes the first snapshot now if libvirt is connected (else on connect). */
  start(): void {
    this.#task = scheduleJob(this.options.schedule, 'snapshot', () => this.#tick(), this.deps.log);
    if (this.deps.libvirt.state === 'connected') void this.runNow();
  }

  /** Takes a snapshot now, or right after the one under way; resolves with how it went. */
  runNow(): Promise<SnapshotOutcome> {
    if (!this.#running) return this.#begin();
    this.#queued ??= this.#running.then(() => {
      this.#queued = null;
      return this.#begin();
    });
    return this.#queued;
  }

  /** Asks for a snapshot shortly (debounced). */
  soon(): void {
    if (this.#stopped) return;
    const now = Date.now();
    this.#burstStarted ??= now;
    const wait = Math.min(this.options.debounceMs ?? 1_000, this.#burstStarted + (this.options.maxDelayMs ?? 5_000) - now);
    clearTimeout(this.#debounce);
    this.#debounce = setTimeout(() => {
      this.#burstStarted = null;
      void this.runNow();
    }, Math.max(0, wait));
  }

  /** Stops the schedule and the debounce, and waits for a run under way. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#debounce);
    await this.#task?.destroy();
    this.#task = null;
    await this.#queued?.catch(() => {});
    await this.#running?.catch(() => {});
  }

  #tick(): Promise<unknown> {
    return this.#running ?? this.#begin();
  }

  #begin(): Promise<SnapshotOutcome> {
    const run = this.#stopped ? Promise.resolve<SnapshotOutcome>({ ok: false, id: null, error: 'stopped' }) : this.#run().then((outcome) => {
      this.options.onRun?.(outcome);
      return outcome;
    });
    this.#running = run.finally(() => { this.#running = null; });
    return this.#running;
  }

  async #run(): Promise<SnapshotOutcome> {
    const { inventory, clock, log } = this.deps;
    const takenAt = clock.now();
    const started = performance.now();
    try {
      const snapshot = await takeSnapshot(this.deps);
      inventory.view.applySnapshot(snapshot);
      const id = inventory.snapshots.record(snapshot);
      log.debug({ snapshot: id, domains: snapshot.domains.length, durationMs: Math.round(snapshot.durationMs) }, 'snapshot taken');
      return { ok: true, id, durationMs: snapshot.durationMs };
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      log.warn({ error }, 'snapshot failed');
      return { ok: false, id: this.#recordFailure(takenAt, performance.now() - started, error), error };
    }
  }

  #recordFailure(takenAt: number, durationMs: number, error: string): number | null {
    try {
      return this.deps.inventory.snapshots.recordFailure(takenAt, durationMs, error);
    } catch (err) {
      this.deps.log.error({ err }, 'could not record a failed snapshot');
      return null;
    }
  }
}
