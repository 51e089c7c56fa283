/**
 * The agent as the HTTP benchmarks run it: bundled the way a deploy runs it (one ESM file, better-sqlite3
 * external), started as a process, and loaded over keep-alive connections: sequential requests for
 * latency, autocannon at concurrency 32 for throughput, with the server's CPU per request.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import autocannon from 'autocannon';
import { build } from 'esbuild';

/** A started process that serves HTTP on `port`. */
export interface Agent { proc: ChildProcess; port: number }

/** Throughput at concurrency 32. */
export interface Loaded { rps: number; p50: number; cpuUs: number }

const BUNDLES = path.join('dist', 'bench');
/** Clock ticks per second (USER_HZ). */
export const TICKS = 100;

/** Bundles an entry point into dist/bench/<name>.mjs (so that ../../migrations is the repository's). */
export async function bundle(entry: string, name: string): Promise<string> {
  const outfile = path.join(BUNDLES, `${name}.mjs`);
  await build({
    entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning',
    external: ['better-sqlite3'],
    banner: { js: "import { createRequire as __gvhRequire } from 'node:module'; const require = __gvhRequire(import.meta.url);" },
  });
  return outfile;
}

/** Starts `node <args>` and waits until GET /healthz on `port` answers. */
export async function startProcess(args: string[], port: number): Promise<Agent> {
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  for (let i = 0; i < 200; i++) {
    if (await request(port, 'GET', '/healthz').then(() => true, () => false)) return { proc, port };
    await new Promise((r) => setTimeout(r, 50));
  }
  proc.kill('SIGKILL');
  throw new Error(`process on port ${port} did not come up: ${args.join(' ')}`);
}

/** Stops a process and waits for it to exit. */
export async function stopProcess(agent: Agent): Promise<void> {
  if (agent.proc.exitCode !== null) return;
  const exited = new Promise((r) => agent.proc.once('exit', r));
  agent.proc.kill('SIGTERM');
  await exited;
}

const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** One request on a keep-alive connection; rejects unless the answer is 200. */
export function request(port: number, method: string, urlPath: string, body?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const headers = body ? { 'content-length': Buffer.byteLength(body) } : {};
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, agent: keepAlive, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { text += d; });
      res.on('end', () => (res.statusCode === 200 ? resolve(text) : reject(new Error(`${res.statusCode} ${text}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
}

/** The time in ms of each of `count` sequential requests (after 100 to warm up). */
export async function timeRequests(count: number, send: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < 100; i++) await send();
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = process.hrtime.bigint();
    await send();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return times;
}

/** Median and p90 in ms of request times. */
export function latency(times: number[]): { median: number; p90: number } {
  const sorted = [...times].sort((a, b) => a - b);
  return { median: percentile(sorted, 0.5), p90: percentile(sorted, 0.9) };
}

/** Median and p90 in ms of `count` sequential requests (after 100 to warm up). */
export async function sequential(count: number, send: () => Promise<unknown>): Promise<{ median: number; p90: number }> {
  return latency(await timeRequests(count, send));
}

/** The process's CPU time so far, in clock ticks (utime + stime). */
export function cpuTicks(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}

/** Throughput and p50 at 32 connections for `seconds`, and the server's CPU per request. */
export async function loaded(agent: Agent, requests: autocannon.Request[], seconds: number): Promise<Loaded> {
  const pid = agent.proc.pid!;
  const before = cpuTicks(pid);
  const result = await autocannon({ url: `http://127.0.0.1:${agent.port}`, connections: 32, duration: seconds, requests });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${result.non2xx} non-2xx (${JSON.stringify(result.statusCodeStats)}) and ${result.errors} errors under load`);
  return { rps: result.requests.average, p50: result.latency.p50, cpuUs: ((cpuTicks(pid) - before) / TICKS) * 1e6 / result.requests.total };
}
