/**
 * The seed protocol's `metal` figures: the Go agent's `github.com/capnm/sysinfo` `SI` struct, rebuilt
 * from /proc instead of the sysinfo(2) syscall (Node has no binding for it, and we never shell out).
 *
 * Reading is split from parsing (as prometheus/node_exporter does): `parse*(text)` are pure and
 * unit-tested on fixtures; `readSysinfo(procRoot)` only reads files.
 *
 * How each field matches what the Go agent sent (checked against capnm/sysinfo master 5909a53 and
 * Linux's do_sysinfo() in kernel/sys.c, si_meminfo(), fs/proc/{meminfo,loadavg,uptime}.c):
 * - Uptime: Go sent `time.Duration(si.Uptime) * time.Second`, nanoseconds in whole seconds; the
 *   kernel rounds the boot time UP (`tv_sec + (tv_nsec ? 1 : 0)`). /proc/uptime shows hundredths,
 *   so we round up from those (one second short only when the hundredths read .00 but the
 *   nanoseconds are not zero).
 * - Loads: sysinfo(2) gives avenrun in 16.16 fixed point, Go divided by 65536; /proc/loadavg
 *   rounds the same value to hundredths. We send the hundredths.
 * - Procs: the kernel's nr_threads (the total after the slash in /proc/loadavg). sysinfo(2) stores
 *   it in a __u16, so Go saw it modulo 65536; we send the true count.
 * - Memory: the kernel sets mem_unit = 1 on 64-bit (values in bytes), Go divided by
 *   mem_unit * 1024, giving exact kB: the same numbers /proc/meminfo prints (pages << (PAGE_SHIFT-10)).
 *   TotalRam = MemTotal, FreeRam = MemFree, BufferRam = Buffers, TotalSwap/FreeSwap =
 *   SwapTotal/SwapFree, TotalHighRam/FreeHighRam = HighTotal/HighFree (printed only with
 *   CONFIG_HIGHMEM, so 0 when absent, as totalhigh is on x86_64).
 * - SharedRam: capnm/sysinfo's master never assigns it, so the Go agent always sent 0 (an unmerged
 *   pull request adds `si.Sharedram`). We send Shmem, the value that field documents.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Go's sysinfo.SI as encoding/json wrote it: keys are the Go field names, in the Go field order. */
export interface HostSysinfo {
  /** Nanoseconds since boot, whole seconds (Go time.Duration); a bigint because it passes 2^53 after ~104 days. */
  Uptime: bigint;
  Loads: [number, number, number];
  Procs: number;
  TotalRam: number;
  FreeRam: number;
  SharedRam: number;
  BufferRam: number;
  TotalSwap: number;
  FreeSwap: number;
  TotalHighRam: number;
  FreeHighRam: number;
}

/** /proc/uptime: whole seconds since boot, and whether a fraction of a second follows. */
export interface ProcUptime {
  seconds: bigint;
  hasFraction: boolean;
}

/** /proc/loadavg: the three load averages, runnable entities, all threads (nr_threads), last PID. */
export interface ProcLoadavg {
  loads: [number, number, number];
  running: number;
  procs: number;
  lastPid: number;
}

/** /proc/meminfo: each key's number; `kB` lines in kB, unitless lines (HugePages_*) as counts. */
export type ProcMeminfo = Record<string, number>;

/** The three parsed files toSysinfo needs. */
export interface ProcParts {
  uptime: ProcUptime;
  loadavg: ProcLoadavg;
  meminfo: ProcMeminfo;
}

/** A /proc file that does not read as the kernel writes it; names the file and (1-based) line. */
export class ProcParseError extends Error {
  override name = 'ProcParseError';

  constructor(readonly file: string, readonly line: number | null, readonly reason: string) {
    super(`${file}${line === null ? '' : `:${line}`}: ${reason}`);
  }
}

const NS_PER_SECOND = 1_000_000_000n;

/** Parses /proc/uptime ("%lu.%02lu %lu.%02lu\n": uptime, then idle time summed over CPUs). */
export function parseUptime(text: string, file = '/proc/uptime'): ProcUptime {
  const line = firstLine(text, file);
  const m = /^(\d+)(?:\.(\d+))? \d+(?:\.\d+)?$/.exec(line);
  if (!m) throw new ProcParseError(file, 1, `expected "<seconds>.<hundredths> <idle>", got ${JSON.stringify(line)}`);
  return { seconds: BigInt(m[1] ?? '0'), hasFraction: /[1-9]/.test(m[2] ?? '') };
}

/** Parses /proc/loadavg ("%lu.%02lu %lu.%02lu %lu.%02lu %u/%d %d\n"). */
export function parseLoadavg(text: string, file = '/proc/loadavg'): ProcLoadavg {
  const line = firstLine(text, file);
  const m = /^(\d+\.\d+) (\d+\.\d+) (\d+\.\d+) (\d+)\/(\d+) (\d+)$/.exec(line);
  if (!m) throw new ProcParseError(file, 1, `expected "<1m> <5m> <15m> <running>/<threads> <lastpid>", got ${JSON.stringify(line)}`);
  const n = (i: number): number => Number(m[i]);
  return { loads: [n(1), n(2), n(3)], running: n(4), procs: n(5), lastPid: n(6) };
}

/** Parses /proc/meminfo ("Key:   value kB" per line) into a record; rejects any malformed line. */
export function parseMeminfo(text: string, file = '/proc/meminfo'): ProcMeminfo {
  const out: ProcMeminfo = {};
  const lines = text.split('\n');
  for (const [i, raw] of lines.entries()) {
    if (raw.trim() === '') continue;
    const m = /^([A-Za-z0-9_()]+):\s+(\d+)(?: (kB))?\s*$/.exec(raw);
    if (!m) throw new ProcParseError(file, i + 1, `expected "Key: <number> [kB]", got ${JSON.stringify(raw)}`);
    const [, key = '', digits = ''] = m;
    const value = Number(digits);
    if (!Number.isSafeInteger(value)) throw new ProcParseError(file, i + 1, `${key} ${digits} is too large`);
    if (key in out) throw new ProcParseError(file, i + 1, `${key} appears twice`);
    out[key] = value;
  }
  if (Object.keys(out).length === 0) throw new ProcParseError(file, null, 'empty file');
  return out;
}

/** Builds the SI struct from the parsed files, in the Go field order (so the JSON keys come out in it). */
export function toSysinfo(parts: ProcParts, meminfoFile = '/proc/meminfo'): HostSysinfo {
  const { uptime, loadavg, meminfo } = parts;
  const kb = (key: string): number => {
    const value = meminfo[key];
    if (value === undefined) throw new ProcParseError(meminfoFile, null, `no ${key} line`);
    return value;
  };
  const seconds = uptime.seconds + (uptime.hasFraction ? 1n : 0n);
  return {
    Uptime: seconds * NS_PER_SECOND,
    Loads: [...loadavg.loads],
    Procs: loadavg.procs,
    TotalRam: kb('MemTotal'),
    FreeRam: kb('MemFree'),
    SharedRam: kb('Shmem'),
    BufferRam: kb('Buffers'),
    TotalSwap: kb('SwapTotal'),
    FreeSwap: kb('SwapFree'),
    TotalHighRam: meminfo['HighTotal'] ?? 0,
    FreeHighRam: meminfo['HighFree'] ?? 0,
  };
}

/** Reads uptime, loadavg and meminfo under `procRoot` in parallel and returns the SI struct. */
export async function readSysinfo(procRoot = '/proc'): Promise<HostSysinfo> {
  const files = { uptime: join(procRoot, 'uptime'), loadavg: join(procRoot, 'loadavg'), meminfo: join(procRoot, 'meminfo') };
  const [uptime, loadavg, meminfo] = await Promise.all([
    readFile(files.uptime, 'utf8'), readFile(files.loadavg, 'utf8'), readFile(files.meminfo, 'utf8'),
  ]);
  return toSysinfo({
    uptime: parseUptime(uptime, files.uptime),
    loadavg: parseLoadavg(loadavg, files.loadavg),
    meminfo: parseMeminfo(meminfo, files.meminfo),
  }, files.meminfo);
}

/** The JSON Go's encoding/json wrote for an SI (same keys, order and number forms; Uptime exact). */
export function sysinfoJson(si: HostSysinfo): string {
  const fields = Object.entries(si).map(([key, value]) =>
    `${JSON.stringify(key)}:${typeof value === 'bigint' ? value.toString() : JSON.stringify(value)}`);
  return `{${fields.join(',')}}`;
}

function firstLine(text: string, file: string): string {
  const lines = text.split('\n');
  const rest = lines.slice(1).join('').trim();
  if (rest !== '') throw new ProcParseError(file, 2, 'expected a single line');
  const line = (lines[0] ?? '').trim();
  if (line === '') throw new ProcParseError(file, 1, 'empty file');
  return line;
}
