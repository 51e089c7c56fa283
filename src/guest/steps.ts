/**
 * All-or-nothing sequences: each step that succeeds registers how to undo it; on a failure the
 * undos run newest first, and what was done and undone is kept for the audit record.
 */

/** What an audit record keeps of a sequence. */
export interface StepRecord {
  steps: string[];
  undone: string[];
}

/** One all-or-nothing sequence of steps. */
export class Steps {
  private readonly done: string[] = [];
  private readonly undone: string[] = [];
  private readonly undos: Array<{ what: string; run: () => Promise<unknown> }> = [];

  /** Runs one step; on success records `what` and, if given, how to undo it. */
  async run<T>(what: string, act: () => Promise<T>, undo?: { what: string; run: (value: T) => Promise<unknown> }): Promise<T> {
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
