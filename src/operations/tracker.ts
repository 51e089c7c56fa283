/**
 * The operations running now: each audited mutation, from the moment it is validated and holds its
 * domain until it ends. Its audit record is its durable state; this keeps what only the running
 * process has: the way to cancel it, its latest progress, and who waits for its end. Progress is
 * written to the record and published on the event feed at most once per interval.
 */
import { AppError } from '../errors.ts';
import type { Role } from '../auth/tokens.ts';
import type { AuditRecord } from '../model/audit.ts';
import type { EventFeed } from '../events/feed.ts';
import type { AuditStore } from '../store/types.ts';
import { operationView } from './view.ts';

/** How often, at most, a running operation's progress is stored and published. */
export const PROGRESS_INTERVAL_MS = 1000;

/** What an operation starts with. */
export interface OperationStart {
  id: number;
  role: Role;
  cancelable: boolean;
}

/** One running operation, as the process knows it. */
export interface LiveOperation {
  readonly id: number;
  readonly role: Role;
  readonly cancelable: boolean;
  progress: Record<string, unknown> | null;
  readonly controller: AbortController;
  /** The record as it was when the operation began (for views without a read). */
  readonly record: AuditRecord | null;
  readonly waiters: Set<() => void>;
  flushAt: number;
  flushTimer: NodeJS.Timeout | undefined;
  limitTimer: NodeJS.Timeout | undefined;
}

/** What the action sees of its operation. */
export interface OperationHandle {
  signal: AbortSignal;
  report(progress: Record<string, unknown>): void;
}

/** How a cancel request went. */
export type CancelVerdict = 'canceling' | 'not-cancelable' | 'not-running';

/** The running operations of this process. */
export class Operations {
  readonly #live = new Map<number, LiveOperation>();
  readonly #audit: AuditStore;
  readonly #feed: EventFeed | null;
  readonly #now: () => number;
  readonly #maxActionMs: number;
  readonly #intervalMs: number;

  constructor(o: { audit: AuditStore; feed?: EventFeed | null; now: () => number; maxActionMs: number; progressIntervalMs?: number }) {
    this.#audit = o.audit;
    this.#feed = o.feed ?? null;
    this.#now = o.now;
    this.#maxActionMs = o.maxActionMs;
    this.#intervalMs = o.progressIntervalMs ?? PROGRESS_INTERVAL_MS;
  }

  /** The longest an operation may run before it is canceled, in ms. */
  get maxActionMs(): number {
    return this.#maxActionMs;
  }

  /** Marks record `start.id` running and tracks it; the handle's signal aborts on cancel or at the time limit. */
  begin(start: OperationStart): OperationHandle {
    const at = this.#now();
    this.#audit.markRunning(start.id, at);
    const op: LiveOperation = {
      id: start.id, role: start.role, cancelable: start.cancelable, progress: null, controller: new AbortController(),
      record: this.#audit.get(start.id), waiters: new Set(), flushAt: 0, flushTimer: undefined, limitTimer: undefined,
    };
    op.limitTimer = setTimeout(() => op.controller.abort(timeLimitReached(this.#maxActionMs)), this.#maxActionMs);
    op.limitTimer.unref();
    this.#live.set(op.id, op);
    if (op.record) this.#publish(op.record, op);
    return { signal: op.controller.signal, report: (progress) => this.#report(op, progress) };
  }

  /** The operation's latest progress, for the record that ends it. */
  progressOf(id: number): Record<string, unknown> | null {
    return this.#live.get(id)?.progress ?? null;
  }

  /** Forgets operation `id` once its record is finished (`record`), publishes its end and wakes its waiters. */
  end(id: number, record: AuditRecord | null): void {
    const op = this.#live.get(id);
    if (!op) return;
    this.#live.delete(id);
    clearTimeout(op.flushTimer);
    clearTimeout(op.limitTimer);
    if (record) this.#publish(record, null);
    for (const wake of op.waiters) wake();
  }

  /** One running operation, or undefined. */
  live(id: number): LiveOperation | undefined {
    return this.#live.get(id);
  }

  /** How many operations run now. */
  get size(): number {
    return this.#live.size;
  }

  /** Asks operation `id` to stop, on behalf of `by`. */
  cancel(id: number, by: string): CancelVerdict {
    const op = this.#live.get(id);
    if (!op) return 'not-running';
    if (!op.cancelable) return 'not-cancelable';
    if (!op.controller.signal.aborted) {
      op.controller.abort(new AppError('OPERATION_CANCELED', `canceled by ${by.slice(0, 64)}`));
    }
    return 'canceling';
  }

  /** Resolves true once operation `id` is not running (at once if it is not), false when `ms` pass first. */
  waitEnd(id: number, ms: number): Promise<boolean> {
    const op = this.#live.get(id);
    if (!op) return Promise.resolve(true);
    if (ms <= 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (ended: boolean) => {
        clearTimeout(timer);
        op.waiters.delete(wake);
        resolve(ended);
      };
      const wake = () => done(true);
      const timer = setTimeout(() => done(false), ms);
      op.waiters.add(wake);
    });
  }

  #report(op: LiveOperation, progress: Record<string, unknown>): void {
    if (!this.#live.has(op.id)) return;
    op.progress = progress;
    if (op.flushTimer !== undefined) return;
    const wait = op.flushAt + this.#intervalMs - this.#now();
    if (wait <= 0) this.#flush(op);
    else {
      op.flushTimer = setTimeout(() => this.#flush(op), wait);
      op.flushTimer.unref();
    }
  }

  #flush(op: LiveOperation): void {
    op.flushTimer = undefined;
    if (!this.#live.has(op.id) || op.progress === null) return;
    op.flushAt = this.#now();
    this.#audit.saveProgress(op.id, op.progress);
    if (op.record) this.#publish(op.record, op);
  }

  #publish(record: AuditRecord, op: LiveOperation | null): void {
    if (!this.#feed) return;
    // Nested: the operation's own `id` must not mask the event's.
    this.#feed.publish('operation', record.domain, this.#now(), { operation: operationView(record, op) });
  }
}

function timeLimitReached(ms: number): AppError {
  return new AppError('OPERATION_CANCELED', `the operation ran longer than the action time limit (${Math.round(ms / 1000)} s)`);
}
