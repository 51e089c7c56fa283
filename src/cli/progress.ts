/**
 * How a running operation shows its progress: a bar on a terminal (cli-progress), plain lines
 * otherwise (one per change), both on stderr so that stdout keeps the answer alone.
 */
import cliProgress from 'cli-progress';
import type { OperationView } from '../operations/view.ts';
import { describeProgress, operationLabel } from './format.ts';
import type { ClientIo } from './io.ts';

/** Shows one operation's progress until it ends. */
export interface ProgressDisplay {
  /** Shows `op`'s current progress. */
  update(op: OperationView): void;
  /** Stops drawing (before a question or the final line). */
  stop(): void;
}

/** A bar when stderr is a terminal, else plain lines; nothing at all with `quiet`. */
export function progressDisplay(io: ClientIo, quiet: boolean): ProgressDisplay {
  if (quiet) return { update() {}, stop() {} };
  return io.tty ? new BarDisplay(io) : new LineDisplay(io);
}

class LineDisplay implements ProgressDisplay {
  #last = '';
  constructor(private readonly io: ClientIo) {}

  update(op: OperationView): void {
    const { percent, text } = describeProgress(op.progress);
    const line = `${operationLabel(op)}: ${op.status}${percent !== null ? ` ${percent}%` : ''}${text ? `, ${text}` : ''}`;
    if (line === this.#last) return;
    this.#last = line;
    this.io.err(`${line}\n`);
  }

  stop(): void {}
}

class BarDisplay implements ProgressDisplay {
  #bar: cliProgress.SingleBar | null = null;
  constructor(private readonly io: ClientIo) {}

  update(op: OperationView): void {
    const { percent, text } = describeProgress(op.progress);
    const payload = { label: operationLabel(op), detail: text || op.status };
    if (!this.#bar) {
      this.#bar = new cliProgress.SingleBar({
        stream: this.io.errStream, format: '{label} [{bar}] {percentage}% {detail}', hideCursor: true,
        barsize: 30, clearOnComplete: false, stopOnComplete: false,
      }, cliProgress.Presets.shades_classic);
      this.#bar.start(100, percent ?? 0, payload);
    } else {
      this.#bar.update(percent ?? 0, payload);
    }
  }

  stop(): void {
    this.#bar?.stop();
    this.#bar = null;
  }
}
