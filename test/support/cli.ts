/**
 * The command-line client as a child process (tsx src/main.ts COMMAND …), the way a person runs
 * it: stdout, stderr and the exit code apart, stdin a pipe for the Ctrl-C question, SIGINT for Ctrl-C.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { REPO_ROOT } from './process.ts';
import { waitUntil } from './wait.ts';

/** A running client. */
export interface CliRun {
  proc: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (a signal's name if it died of one). */
  exited: Promise<number | string>;
  /** Waits until stderr matches `pattern`; fails with what it printed after `timeoutMs`. */
  waitForStderr(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
}

/** Starts `govirthost ARGS` with `env` added to the test's environment (without its GOVIRTHOST_ variables). */
export function startCli(args: string[], env: Record<string, string>): CliRun {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GOVIRTHOST_')));
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
    cwd: REPO_ROOT, env: { ...base, HOME: '/nonexistent', ...env }, stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d) => { out += d; });
  proc.stderr!.on('data', (d) => { err += d; });
  const exited = new Promise<number | string>((resolve) => proc.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  return {
    proc, exited, stdout: () => out, stderr: () => err,
    async waitForStderr(pattern, timeoutMs) {
      try {
        await waitUntil(() => pattern.test(err), timeoutMs);
      } catch {
        throw new Error(`stderr never matched ${pattern}; stdout: ${out}\nstderr: ${err}`);
      }
      return err.match(pattern)!;
    },
  };
}

/** Runs `govirthost ARGS` to its end with stdin closed; its exit code and output. */
export async function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | string; stdout: string; stderr: string }> {
  const run = startCli(args, env);
  run.proc.stdin!.end();
  const code = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}
