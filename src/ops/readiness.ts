/**
 * Readiness: a list of named checks (libvirt connected, database writable, not shutting down, and
 * whatever main adds), run together with a time limit each. `/readyz` answers 200 only when every
 * check passes, and always says which failed and why.
 */
import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CheckResult, ReadinessCheck } from '../deps.ts';
import type { Libvirt } from '../libvirt/index.ts';
import type { Database } from '../store/db.ts';
import type { DiskGuard } from '../store/disk-guard.ts';
import { BUSY_TIMEOUT_MS } from '../store/db.ts';

/** The answer of /readyz. */
export interface Readiness {
  ready: boolean;
  checks: Array<CheckResult & { name: string }>;
}

/** How long one check may take before it counts as failed. */
export const CHECK_TIMEOUT_MS = 2_000;

/** Runs every check in parallel; a check that throws or exceeds `timeoutMs` fails with the reason. */
export async function evaluateReadiness(checks: readonly ReadinessCheck[], timeoutMs = CHECK_TIMEOUT_MS): Promise<Readiness> {
  const results = await Promise.all(checks.map(async (check) => ({ name: check.name, ...(await bounded(check, timeoutMs)) })));
  return { ready: results.every((r) => r.ok), checks: results };
}

async function bounded(check: ReadinessCheck, timeoutMs: number): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, detail: `no answer within ${timeoutMs} ms` }), timeoutMs);
  });
  try {
    return await Promise.race([Promise.resolve().then(() => check.run()), expired]);
  } catch (err) {
    return { ok: false, detail: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}

/** libvirt: the client is connected and the daemon answers a cheap call. */
export function libvirtCheck(libvirt: Libvirt, timeoutMs = CHECK_TIMEOUT_MS / 2): ReadinessCheck {
  return {
    name: 'libvirt',
    async run() {
      if (libvirt.state !== 'connected') return { ok: false, detail: `libvirt at ${libvirt.uri} is ${libvirt.state}` };
      await libvirt.libVersion(timeoutMs);
      return { ok: true, detail: `connected to ${libvirt.uri}` };
    },
  };
}

/** Below this much free space where the database lives, it no longer counts as writable. */
export const MIN_FREE_BYTES = 16 * 1024 * 1024;

/**
 * database: open, not read-only, the write lock can be taken (a write inside a transaction that is
 * rolled back, so nothing changes), and its filesystem has room.
 */
export function databaseCheck(db: Database, minFreeBytes = MIN_FREE_BYTES): ReadinessCheck {
  return {
    name: 'database',
    run() {
      if (!db.open) return { ok: false, detail: 'the database is closed' };
      if (db.readonly) return { ok: false, detail: `${db.name} is open read-only` };
      tryWrite(db);
      if (!db.memory) {
        const fs = statfsSync(dirname(db.name));
        const free = fs.bavail * fs.bsize;
        if (free < minFreeBytes) return { ok: false, detail: `only ${free} bytes free beside ${db.name}` };
      }
      return { ok: true, detail: `${db.name} is writable` };
    },
  };
}

// Another process holding the write lock must not stall the event loop for the full busy timeout.
function tryWrite(db: Database): void {
  db.pragma('busy_timeout = 100');
  try {
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec('CREATE TABLE main.readiness_probe (x)');
    } finally {
      db.exec('ROLLBACK');
    }
  } finally {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  }
}

/** Fails once shutdown has begun, so a load balancer stops sending work here. */
export function notStoppingCheck(isStopping: () => boolean): ReadinessCheck {
  return {
    name: 'shutdown',
    run: () => (isStopping() ? { ok: false, detail: 'the agent is shutting down' } : { ok: true, detail: 'serving' }),
  };
}

/** Fails when the newest inventory snapshot is older than maxAgeMs (or there is none yet). */
export function snapshotAgeCheck(lastSnapshotAt: () => number | null, now: () => number, maxAgeMs: number): ReadinessCheck {
  return {
    name: 'snapshots',
    run: () => {
      const at = lastSnapshotAt();
      if (at === null) return { ok: false, detail: 'no inventory snapshot yet' };
      const ageS = Math.round((now() - at) / 1000);
      return now() - at <= maxAgeMs
        ? { ok: true, detail: `newest snapshot ${ageS} s old` }
        : { ok: false, detail: `newest snapshot ${ageS} s old, more than ${Math.round(maxAgeMs / 1000)} s` };
    },
  };
}

/** Fails while the disk guard refuses mutations (the database's filesystem is nearly full), saying why. */
export function diskCheck(guard: DiskGuard): ReadinessCheck {
  return {
    name: 'disk',
    run: () => {
      const state = guard.state();
      return state.low === null
        ? { ok: true, detail: `${Math.floor(state.freeBytes / 1024 ** 2)} MiB free for the database` }
        : { ok: false, detail: `mutations are refused: ${state.low}` };
    },
  };
}
