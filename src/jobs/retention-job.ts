/**
 * The retention job: at start and then hourly, deletes snapshots older than the snapshot retention
 * and, only when an audit retention is set, audit records and state changes older than that (state
 * changes are kept as long as the audit log). Nothing else is deleted.
 */
import type { ScheduledTask } from 'node-cron';
import type { Deps } from '../deps.ts';
import { scheduleJob } from './cron.ts';

/** How long things are kept. */
export interface RetentionOptions {
  snapshotRetentionMs: number;
  /** null: audit records and state changes are never deleted. */
  auditRetentionMs: number | null;
  /** Cron expression of the runs (default: hourly, at minute 7). */
  schedule?: string;
}

/** What one run deleted. */
export interface PruneCounts {
  snapshots: number;
  runs: number;
  audit: number;
  stateChanges: number;
}

type RetentionDeps = Pick<Deps, 'audit' | 'inventory' | 'clock' | 'log'>;

/** Deletes what is older than the retention settings, as of `now` (epoch ms). */
export function pruneOnce(deps: RetentionDeps, options: RetentionOptions, now: number): PruneCounts {
  const { snapshots, runs } = deps.inventory.snapshots.prune(now - options.snapshotRetentionMs);
  const counts: PruneCounts = { snapshots, runs, audit: 0, stateChanges: 0 };
  if (options.auditRetentionMs !== null) {
    const before = now - options.auditRetentionMs;
    counts.stateChanges = deps.inventory.changes.prune(before);
    counts.audit = deps.audit.prune(before);
  }
  return counts;
}

/** The scheduled retention job. */
export class RetentionJob {
  #task: ScheduledTask | null = null;

  constructor(private readonly deps: RetentionDeps, private readonly options: RetentionOptions) {}

  /** Prunes once now, then on the schedule. */
  start(): void {
    this.run();
    this.#task = scheduleJob(this.options.schedule ?? '0 7 * * * *', 'retention', async () => this.run(), this.deps.log);
  }

  /** Prunes once; a failure is logged, not thrown. */
  run(): PruneCounts | null {
    try {
      const counts = pruneOnce(this.deps, this.options, this.deps.clock.now());
      this.deps.log.debug({ pruned: counts }, 'retention run');
      return counts;
    } catch (err) {
      this.deps.log.error({ err }, 'retention run failed');
      return null;
    }
  }

  /** Stops the schedule. */
  async stop(): Promise<void> {
    await this.#task?.destroy();
    this.#task = null;
  }
}
