/**
 * What the command-line client reads and writes: its output streams, environment, questions asked
 * on Ctrl-C and the Ctrl-C itself. The process's own in main.ts; tests run the real process.
 */
import readline from 'node:readline';

/** The client's view of its terminal and environment. */
export interface ClientIo {
  /** Writes to stdout: answers. */
  out(text: string): void;
  /** Writes to stderr: progress, notices, errors. */
  err(text: string): void;
  /** stderr as a stream, for progress bars. */
  errStream: NodeJS.WriteStream;
  /** Whether stderr is a terminal: bars there, plain lines otherwise. */
  tty: boolean;
  env: Record<string, string | undefined>;
  /** Asks `question` on stderr; the answer line, or null when input ends or Ctrl-C is pressed again. */
  ask(question: string): Promise<string | null>;
  /** Calls `listener` on each Ctrl-C (instead of exiting) until the returned function is called. */
  onInterrupt(listener: () => void): () => void;
}

/** The running process's terminal and environment. */
export function processIo(): ClientIo {
  return {
    out: (text) => { process.stdout.write(text); },
    err: (text) => { process.stderr.write(text); },
    errStream: process.stderr,
    tty: process.stderr.isTTY === true,
    env: process.env,
    ask: (question) => askLine(question),
    onInterrupt: (listener) => {
      process.on('SIGINT', listener);
      return () => { process.off('SIGINT', listener); };
    },
  };
}

function askLine(question: string): Promise<string | null> {
  return new Promise((resolve) => {
    const rl = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: process.stdin.isTTY === true });
    let answered = false;
    const finish = (answer: string | null) => {
      if (answered) return;
      answered = true;
      rl.close();
      process.stdin.pause();
      resolve(answer);
    };
    rl.on('SIGINT', () => finish(null));
    rl.on('close', () => finish(null));
    rl.question(question, (answer) => finish(answer));
  });
}
