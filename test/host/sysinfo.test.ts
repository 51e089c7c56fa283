/**
 * The `metal` figures (Go's capnm/sysinfo SI) from /proc: parsers on fixtures with golden output,
 * malformed input, and the real /proc checked against what Node reads through libuv.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ProcParseError, parseLoadavg, parseMeminfo, parseUptime, readSysinfo, sysinfoJson, toSysinfo, type HostSysinfo,
} from '../../src/host/sysinfo.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const GO_FIELD_ORDER = ['Uptime', 'Loads', 'Procs', 'TotalRam', 'FreeRam', 'SharedRam', 'BufferRam', 'TotalSwap',
  'FreeSwap', 'TotalHighRam', 'FreeHighRam'];

/** Golden SI structs for each fixture directory. */
const GOLDEN: Record<string, HostSysinfo> = {
  // 114 days up: the nanoseconds pass 2^53, so Uptime must stay a bigint to be exact.
  'kvm-host-x86_64': {
    Uptime: 9_876_544_000_000_000n, Loads: [3.47, 2.91, 2.65], Procs: 1873,
    TotalRam: 263782936, FreeRam: 19354120, SharedRam: 1243600, BufferRam: 832412,
    TotalSwap: 8388604, FreeSwap: 8127484, TotalHighRam: 0, FreeHighRam: 0,
  },
  // 32-bit with CONFIG_HIGHMEM: HighTotal/HighFree are printed.
  'i686-highmem': {
    Uptime: 357_000_000_000n, Loads: [0.08, 0.03, 0.01], Procs: 143,
    TotalRam: 3106088, FreeRam: 2414516, SharedRam: 10564, BufferRam: 41232,
    TotalSwap: 1046524, FreeSwap: 1046524, TotalHighRam: 2267528, FreeHighRam: 1803012,
  },
  // No swap; uptime exactly 892.00 s, so no rounding up.
  'no-swap': {
    Uptime: 892_000_000_000n, Loads: [6.31, 3.06, 1.31], Procs: 345,
    TotalRam: 24683656, FreeRam: 23340084, SharedRam: 8924, BufferRam: 3632,
    TotalSwap: 0, FreeSwap: 0, TotalHighRam: 0, FreeHighRam: 0,
  },
};

/** Asserts `fn` throws a ProcParseError naming `file` and `line` with a reason matching `reason`. */
function throwsProc(fn: () => unknown, file: string, line: number | null, reason: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ProcParseError, `expected ProcParseError, got ${String(err)}`);
    assert.equal(err.file, file);
    assert.equal(err.line, line);
    assert.match(err.message, reason);
    assert.ok(err.message.startsWith(line === null ? `${file}: ` : `${file}:${line}: `), err.message);
    return true;
  });
}

describe('parseUptime', () => {
  test('whole seconds and whether a fraction follows', () => {
    assert.deepEqual(parseUptime('892.08 1264.35\n'), { seconds: 892n, hasFraction: true });
    assert.deepEqual(parseUptime('892.00 1264.35\n'), { seconds: 892n, hasFraction: false });
    assert.deepEqual(parseUptime('0.01 0.00'), { seconds: 0n, hasFraction: true });
  });

  test('malformed input names the file and line', () => {
    throwsProc(() => parseUptime(''), '/proc/uptime', 1, /empty/);
    throwsProc(() => parseUptime('abc 1.0\n'), '/proc/uptime', 1, /expected/);
    throwsProc(() => parseUptime('12.5\n'), '/proc/uptime', 1, /expected/);
    throwsProc(() => parseUptime('-3.00 1.00\n'), '/proc/uptime', 1, /expected/);
    throwsProc(() => parseUptime('1.00 2.00\n3.00 4.00\n', 'x/uptime'), 'x/uptime', 2, /single line/);
  });
});

describe('parseLoadavg', () => {
  test('loads, running, nr_threads, last pid', () => {
    assert.deepEqual(parseLoadavg('6.31 3.06 1.31 6/345 15721\n'),
      { loads: [6.31, 3.06, 1.31], running: 6, procs: 345, lastPid: 15721 });
    assert.deepEqual(parseLoadavg('120.00 0.00 0.00 1/70000 1\n').procs, 70000);
  });

  test('malformed input names the file and line', () => {
    throwsProc(() => parseLoadavg('6.31 3.06 1.31 6/345\n'), '/proc/loadavg', 1, /expected/);
    throwsProc(() => parseLoadavg('6.31 3.06 x 6/345 1\n'), '/proc/loadavg', 1, /expected/);
    throwsProc(() => parseLoadavg('6.31 3.06 1.31 345 1\n'), '/proc/loadavg', 1, /expected/);
    throwsProc(() => parseLoadavg('\n'), '/proc/loadavg', 1, /empty/);
  });
});

describe('parseMeminfo', () => {
  test('kB lines as kB, unitless lines as counts, keys with parentheses', () => {
    const info = parseMeminfo('MemTotal:       24683656 kB\nActive(anon):      52892 kB\nHugePages_Total:       0\n');
    assert.deepEqual(info, { MemTotal: 24683656, 'Active(anon)': 52892, HugePages_Total: 0 });
  });

  test('the whole of a real-looking file', () => {
    const info = parseMeminfo(readFileSync(join(FIXTURES, 'kvm-host-x86_64', 'meminfo'), 'utf8'));
    assert.equal(Object.keys(info).length, 57);
    assert.equal(info['VmallocTotal'], 34359738367);
    assert.equal(info['HugePages_Free'], 16384);
  });

  test('malformed lines name the file and the 1-based line', () => {
    throwsProc(() => parseMeminfo('MemTotal: 1 kB\nMemFree 2 kB\n'), '/proc/meminfo', 2, /MemFree 2 kB/);
    throwsProc(() => parseMeminfo('MemTotal: 1 kB\nMemFree: two kB\n'), '/proc/meminfo', 2, /expected/);
    throwsProc(() => parseMeminfo('MemTotal: 1 MB\n'), '/proc/meminfo', 1, /expected/);
    throwsProc(() => parseMeminfo('MemTotal: -1 kB\n'), '/proc/meminfo', 1, /expected/);
    throwsProc(() => parseMeminfo('MemTotal: 1 kB\nMemTotal: 2 kB\n'), '/proc/meminfo', 2, /twice/);
    throwsProc(() => parseMeminfo('MemTotal: 99999999999999999999 kB\n'), '/proc/meminfo', 1, /too large/);
    throwsProc(() => parseMeminfo('\n\n', 'f/meminfo'), 'f/meminfo', null, /empty/);
  });
});

describe('toSysinfo', () => {
  const parts = {
    uptime: { seconds: 10n, hasFraction: true },
    loadavg: { loads: [1, 2, 3] as [number, number, number], running: 1, procs: 99, lastPid: 5 },
    meminfo: { MemTotal: 1000, MemFree: 500, Shmem: 7, Buffers: 8, SwapTotal: 20, SwapFree: 10 },
  };

  test('rounds a fractional uptime up to the next second, as do_sysinfo() does', () => {
    assert.equal(toSysinfo(parts).Uptime, 11_000_000_000n);
    assert.equal(toSysinfo({ ...parts, uptime: { seconds: 10n, hasFraction: false } }).Uptime, 10_000_000_000n);
  });

  test('keys come out in the Go field order; High* default to 0', () => {
    const si = toSysinfo(parts);
    assert.deepEqual(Object.keys(si), GO_FIELD_ORDER);
    assert.equal(si.TotalHighRam, 0);
    assert.equal(si.FreeHighRam, 0);
  });

  test('a required meminfo key that is missing is an error naming it', () => {
    for (const key of ['MemTotal', 'MemFree', 'Shmem', 'Buffers', 'SwapTotal', 'SwapFree']) {
      const meminfo: Record<string, number> = { ...parts.meminfo };
      delete meminfo[key];
      throwsProc(() => toSysinfo({ ...parts, meminfo }, 'root/meminfo'), 'root/meminfo', null, new RegExp(`no ${key} line`));
    }
  });
});

describe('readSysinfo on fixtures (golden)', () => {
  for (const [name, expected] of Object.entries(GOLDEN)) {
    test(name, async () => {
      const si = await readSysinfo(join(FIXTURES, name));
      assert.deepEqual(si, expected);
      assert.deepEqual(Object.keys(si), GO_FIELD_ORDER);
    });
  }

  test('the JSON is what Go encoding/json wrote, Uptime exact past 2^53', async () => {
    const si = await readSysinfo(join(FIXTURES, 'kvm-host-x86_64'));
    assert.equal(sysinfoJson(si),
      '{"Uptime":9876544000000000,"Loads":[3.47,2.91,2.65],"Procs":1873,"TotalRam":263782936,' +
      '"FreeRam":19354120,"SharedRam":1243600,"BufferRam":832412,"TotalSwap":8388604,"FreeSwap":8127484,' +
      '"TotalHighRam":0,"FreeHighRam":0}');
    assert.ok(si.Uptime > BigInt(Number.MAX_SAFE_INTEGER));
  });

  test('a missing file rejects with the path; a malformed one with a ProcParseError naming it', async () => {
    await assert.rejects(readSysinfo(join(FIXTURES, 'does-not-exist')), /ENOENT/);
    await assert.rejects(readSysinfo(FIXTURES), /ENOENT.*fixtures\/(uptime|loadavg|meminfo)/);
  });
});

describe('readSysinfo on the real /proc', () => {
  test('agrees with what Node reads through libuv', async () => {
    const uptimeBefore = os.uptime();
    const loadBefore = os.loadavg();
    const si = await readSysinfo();
    const loadAfter = os.loadavg();
    const uptimeAfter = os.uptime();
    const meminfo = parseMeminfo(readFileSync('/proc/meminfo', 'utf8'));
    const total = os.totalmem();

    // os.totalmem() is libuv's MemTotal in bytes: the same number, exactly.
    assert.equal(si.TotalRam * 1024, total);
    // os.freemem() is libuv's MemAvailable, not MemFree: compare it with MemAvailable read just
    // after, allowing 2% of RAM for the moments between the reads.
    const available = meminfo['MemAvailable'];
    assert.ok(available !== undefined);
    assert.ok(Math.abs(os.freemem() - available * 1024) <= total * 0.02, `freemem ${os.freemem()} vs MemAvailable ${available} kB`);
    assert.ok(Math.abs(si.FreeRam - (meminfo['MemFree'] ?? NaN)) <= total / 1024 * 0.02);
    assert.ok(si.FreeRam <= si.TotalRam && si.BufferRam <= si.TotalRam && si.SharedRam <= si.TotalRam);
    assert.ok(si.FreeSwap <= si.TotalSwap);

    // os.loadavg() is sysinfo(2)'s full-precision value; /proc/loadavg rounds it to hundredths
    // (adds 10/2048, then truncates), so it lies within 0.0052 of it; sampled before and after.
    for (const i of [0, 1, 2]) {
      const lo = Math.min(loadBefore[i] ?? NaN, loadAfter[i] ?? NaN) - 0.006;
      const hi = Math.max(loadBefore[i] ?? NaN, loadAfter[i] ?? NaN) + 0.006;
      assert.ok(si.Loads[i]! >= lo && si.Loads[i]! <= hi, `load ${i}: ${si.Loads[i]} not in [${lo}, ${hi}]`);
    }
    assert.ok(Number.isInteger(si.Procs) && si.Procs >= 1);

    // os.uptime() reads /proc/uptime as a float; ours is whole seconds rounded up, in nanoseconds.
    const seconds = Number(si.Uptime / 1_000_000_000n);
    assert.equal(si.Uptime % 1_000_000_000n, 0n);
    assert.ok(seconds >= Math.floor(uptimeBefore) && seconds <= Math.ceil(uptimeAfter) + 1,
      `uptime ${seconds} s vs os.uptime() ${uptimeBefore}..${uptimeAfter}`);
  });
});
