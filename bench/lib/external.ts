/**
 * Everything the benchmark runs as a child process: the C-library script (libvirt-python),
 * `virsh list --all`, and empty interpreters for an RSS baseline.
 */
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { RoundPlan, SideResult } from './plan.ts';

const execFileP = promisify(execFile);
const HERE = path.dirname(fileURLToPath(import.meta.url));
/** Debian's interpreter, which has python3-libvirt (the pyenv python3 on PATH does not). */
export const PYTHON = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
const C_SCRIPT = path.join(HERE, '..', 'libvirt_c_bench.py');

/** Where and what the C-library side connects to. */
export interface CTarget { uri: string; socketPath: string; remoteUri: string; names: string[]; xmlDomain: string }

/** The C-library side's JSON output. */
export interface CResult extends SideResult { libvirtVersion: number; python: string }

/** Runs one round of bench/libvirt_c_bench.py and returns its raw samples. */
export async function runCRound(target: CTarget, plan: RoundPlan): Promise<CResult> {
  const args = [C_SCRIPT, '--uri', target.uri, '--socket', target.socketPath, '--remote-name', target.remoteUri,
    '--names', target.names.join(','), '--xml-domain', target.xmlDomain, '--plan', JSON.stringify(plan)];
  const { stdout } = await execFileP(PYTHON, args, { maxBuffer: 64 * 1024 * 1024, timeout: 300_000 });
  return JSON.parse(stdout) as CResult;
}

/** Spawns `virsh -c URI list --all` `iters` times; ns per run, after checking it lists `expected` domains. */
export function timeVirshList(uri: string, iters: number, expected: string[]): number[] {
  const run = () => spawnSync('virsh', ['-c', uri, 'list', '--all'], { encoding: 'utf8' });
  const first = run();
  if (first.status !== 0) throw new Error(`virsh list failed: ${first.stderr}`);
  const missing = expected.filter((n) => !first.stdout.includes(` ${n} `));
  if (missing.length > 0) throw new Error(`virsh list does not show ${missing.length} domain(s), e.g. ${missing[0]}`);
  const out: number[] = [];
  for (let i = 0; i < iters; i++) {
    const t0 = process.hrtime.bigint();
    const r = run();
    out.push(Number(process.hrtime.bigint() - t0));
    if (r.status !== 0) throw new Error(`virsh list failed: ${r.stderr}`);
  }
  return out;
}

const RSS_JS = 'process.stdout.write(String(process.memoryUsage().rss))';
const RSS_PY = "print([int(l.split()[1])*1024 for l in open('/proc/self/status') if l.startswith('VmRSS:')][0])";
const LIBVIRT_TS = path.join(HERE, '..', '..', 'src', 'libvirt', 'index.ts');
const ESBUILD = path.join(HERE, '..', '..', 'node_modules', '.bin', 'esbuild');

/** Idle-process RSS (bytes) for context: empty interpreters, then each with its client library loaded. */
export interface BaselineRss { node: number; python: number; nodeTsxLib: number; pythonLib: number; nodeBundledLib: number | null }

function rssOf(cmd: string, args: string[]): number {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return Number(r.stdout.trim());
}

/** RSS of Node loading our client precompiled by esbuild (no tsx loader); null without esbuild. */
function bundledLibRss(): number | null {
  if (!fs.existsSync(ESBUILD)) return null;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gvh-bench-esm-'));
  try {
    const out = path.join(dir, 'libvirt.mjs');
    const built = spawnSync(ESBUILD, [LIBVIRT_TS, '--bundle', '--platform=node', '--format=esm', `--outfile=${out}`, '--log-level=error']);
    if (built.status !== 0) return null;
    return rssOf(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(out)}); ${RSS_JS}`]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Measures the idle RSS baselines in fresh processes. */
export function baselineRss(): BaselineRss {
  return {
    node: rssOf(process.execPath, ['-e', RSS_JS]),
    python: rssOf(PYTHON, ['-c', RSS_PY]),
    nodeTsxLib: rssOf(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `await import(${JSON.stringify(LIBVIRT_TS)}); ${RSS_JS}`]),
    pythonLib: rssOf(PYTHON, ['-c', `import libvirt; ${RSS_PY}`]),
    nodeBundledLib: bundledLibRss(),
  };
}
