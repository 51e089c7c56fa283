/**
 * All-or-nothing sequences: each step that succeeds registers how to undo it; on a failure the
 * undos run newest first, and what was done and undone is kept for the audit record.
 */

/** What an audit record keeps of a sequence. */
export interface StepRecord {
  steps: string[];
  undone: string[];
}

/** How a sequence is watched: how many steps it has, a cancel signal, where progress goes. */
export interface StepsWatch {
  total?: number;
  signal?: AbortSignal;
  report?: (progress: { step: number; of: number; current: string; percent: number }) => void;
}

/** One all-or-nothing sequence of steps; with a signal, a cancel stops it before its next step. */
export class Steps {
  private readonly done: string[] = [];
  private readonly undone: string[] = [];
  private readonly undos: Array<{ what: string; run: () => Promise<unknown> }> = [];
  private started = 0;

  constructor(private readonly watch: StepsWatch = {}) {}

  /** Runs one step; on success records `what` and, if given, how to undo it. Throws the cancel's reason instead once canceled. */
  async run<T>(what: string, act: () => Promise<T>, undo?: { what: string; run: (value: T) => Promise<unknown> }): Promise<T> {
    this.watch.signal?.throwIfAborted();
    this.started++;
    const of = Math.max(this.watch.total ?? 0, this.started);
    this.watch.report?.({ step: this.started, of, current: what, percent: Math.round(((this.started - 1) / of) * 100) });
    let value: T;
    try {
      value = await act();
    } catch (err) {
      this.done.push(`${what}: failed: ${err instanceof Error ? err.message : String(err)}`);
      throw err;
    }
    this.done.push(what);
    if (undo) this.undos.push({ what: undo.what, run: () => undo.run(value) });
    return value;
  }

  /** Undoes every recorded step, newest first; a failing undo is recorded and the rest still run. */
  async rollback(): Promise<void> {
    for (const undo of this.undos.splice(0).reverse()) {
      try {
        await undo.run();
        this.undone.push(undo.what);
      } catch (err) {
        this.undone.push(`${undo.what}: failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  /** The steps done (with the one that failed) and those undone. */
  record(): StepRecord {
    return { steps: [...this.done], undone: [...this.undone] };
  }
}
