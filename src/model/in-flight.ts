/** The actions running right now, so that shutdown can wait for them and name those it gives up on. */

/** One running action. */
export interface RunningAction {
  action: string;
  requestId: string;
  auditId: number | null;
  startedAt: number;
}

/** A set of running actions with a way to wait until it is empty. */
export class InFlight {
  readonly #running = new Set<RunningAction>();
  readonly #idle = new Set<() => void>();

  /** Records an action as running; call the returned function when it ends (idempotent). */
  begin(action: RunningAction): () => void {
    this.#running.add(action);
    return () => {
      if (!this.#running.delete(action) || this.#running.size > 0) return;
      for (const wake of this.#idle) wake();
    };
  }

  /** How many actions run now. */
  get size(): number {
    return this.#running.size;
  }

  /** The running actions, oldest first. */
  list(): RunningAction[] {
    return [...this.#running];
  }

  /** Resolves true once nothing runs, or false when `timeoutMs` passes first. */
  drained(timeoutMs: number): Promise<boolean> {
    if (this.#running.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (value: boolean) => {
        clearTimeout(timer);
        this.#idle.delete(wake);
        resolve(value);
      };
      const wake = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.#idle.add(wake);
    });
  }
}
