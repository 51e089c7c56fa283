/**
 * The agent as a child process, for tests that need a real process (signals, exit codes, a bundle):
 * spawn it with its output captured, find a free loopback port, wait until a URL answers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';

/** The repository's root. */
export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

/** A spawned process with its combined output and its exit. */
export interface Spawned {
  proc: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: string | null }>;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Spawns `command args` with stdout and stderr captured together (detached: in its own process group). */
export function spawnCaptured(command: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; detached?: boolean } = {}): Spawned {
  const proc = spawn(command, args, { cwd: opts.cwd ?? REPO_ROOT, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: opts.detached ?? false });
  let out = '';
  proc.stdout!.on('data', (d) => { out += d; });
  proc.stderr!.on('data', (d) => { out += d; });
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
  return { proc, output: () => out, exited };
}

/** The agent from source (tsx src/main.ts) with these flags. */
export function spawnAgentFromSource(args: string[]): Spawned {
  return spawnCaptured(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args]);
}

/** Polls `url` until it answers `status`; fails (with the process's output) if the process exits or time runs out. */
export async function waitForStatus(spawned: Spawned, url: string, status = 200, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (spawned.proc.exitCode !== null) throw new Error(`the process exited (${spawned.proc.exitCode}): ${spawned.output()}`);
    const res = await fetch(url).catch(() => null);
    if (res?.status === status) return;
    await res?.body?.cancel();
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url} did not answer ${status} within ${timeoutMs} ms: ${spawned.output()}`);
}

/** Waits for the exit, at most `timeoutMs`; null if it is still running then. */
export function exitWithin(spawned: Spawned, timeoutMs: number): Promise<{ code: number | null; signal: string | null } | null> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<null>((r) => { timer = setTimeout(() => r(null), timeoutMs); });
  return Promise.race([spawned.exited, expired]).finally(() => clearTimeout(timer));
}

/** SIGKILLs the process if it still runs (for `after` hooks). */
export function killIfRunning(spawned: Spawned | undefined): void {
  if (spawned && spawned.proc.exitCode === null && spawned.proc.signalCode === null) spawned.proc.kill('SIGKILL');
}

/** One HTTP request with node:http, which (unlike fetch) sends a body with GET as seed callers do. */
export function httpRequest(base: string, method: string, urlPath: string, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${urlPath}`, { method, agent: false, headers: body === undefined ? {} : { 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
