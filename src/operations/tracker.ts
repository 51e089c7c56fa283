/**
 * The operations running now: each audited mutation, from the moment it is validated and holds its
 * domain until it ends. Its audit record is its durable state; this keeps what only the running
 * process has: the way to cancel it, its latest progress, and who waits for its end. Progress is
 * written to the record and published on the event feed at most once per interval.
 *
 * Most actions end within milliseconds, so an operation is announced (its record marked running,
 * a `running` event published) only once it has run for ANNOUNCE_AFTER_MS, reported progress, or
 * been shown to a caller (a 202): a quick action costs no write and no event beyond its end.
 */
import { AppError } from '../errors.ts';
import type { Role } from '../auth/tokens.ts';
import type { AuditRecord } from '../model/audit.ts';
import type { EventFeed } from '../events/feed.ts';
import type { AuditStore } from '../store/types.ts';
import { operationView } from './view.ts';

/** How often, at most, a running operation's progress is stored and published. */
export const PROGRESS_INTERVAL_MS = 1000;
/** How long an operation runs before it is announced (unless progress or a 202 announces it first). */
export const ANNOUNCE_AFTER_MS = 200;

/** What an operation starts with: its record as it is now (running), the role it needs, whether it can be canceled. */
export interface OperationStart {
  record: AuditRecord;
  role: Role;
  cancelable: boolean;
  /** A session (the console): it lasts as long as its caller stays, so it has no time limit. */
  session?: boolean;
}

/** One running operation, as the process knows it. */
export interface LiveOperation {
  readonly id: number;
  readonly role: Role;
  readonly cancelable: boolean;
  readonly session: boolean;
  readonly startedAt: number;
  progress: Record<string, unknown> | null;
  readonly controller: AbortController;
  /** The record as it was when the operation began (for views without a read). */
  readonly record: AuditRecord;
  readonly waiters: Set<() => void>;
  announced: boolean;
  flushAt: number;
  flushTimer: NodeJS.Timeout | undefined;
  limitTimer: NodeJS.Timeout | undefined;
  announceTimer: NodeJS.Timeout | undefined;
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

  /** Tracks the operation of `start.record`; the handle's signal aborts on cancel or at the time limit. */
  begin(start: OperationStart): OperationHandle {
    const r = start.record;
    const op: LiveOperation = {
      id: r.id, role: start.role, cancelable: start.cancelable, session: start.session === true, startedAt: r.startedAt ?? this.#now(), progress: null,
      controller: new AbortController(), record: r, waiters: new Set(), announced: false,
      flushAt: 0, flushTimer: undefined, limitTimer: undefined, announceTimer: undefined,
    };
    if (!op.session) {
      op.limitTimer = setTimeout(() => op.controller.abort(timeLimitReached(this.#maxActionMs)), this.#maxActionMs);
      op.limitTimer.unref();
    }
    op.announceTimer = setTimeout(() => this.announce(op.id), ANNOUNCE_AFTER_MS);
    op.announceTimer.unref();
    this.#live.set(op.id, op);
    return { signal: op.controller.signal, report: (progress) => this.#report(op, progress) };
  }

  /** Marks operation `id` running in its record and publishes it, once (a 202 calls it before answering). */
  announce(id: number): void {
    const op = this.#live.get(id);
    if (!op || op.announced) return;
    op.announced = true;
    clearTimeout(op.announceTimer);
    this.#audit.markRunning(op.id, op.startedAt);
    this.#publish(op.record, op);
  }

  /** When operation `id` began to run, while it runs here. */
  startedAt(id: number): number | null {
    return this.#live.get(id)?.startedAt ?? null;
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
    clearTimeout(op.announceTimer);
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

  /** Ends every running session (at shutdown: a console would otherwise hold it to its deadline). */
  endSessions(reason: string): number {
    let ended = 0;
    for (const op of this.#live.values()) {
      if (!op.session || op.controller.signal.aborted) continue;
      op.controller.abort(new AppError('OPERATION_CANCELED', reason));
      ended++;
    }
    return ended;
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
    const announcing = !op.announced;
    this.announce(op.id); // publishes the progress with the running state
    this.#audit.saveProgress(op.id, op.progress);
    if (!announcing) this.#publish(op.record, op);
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
