/**
 * The disk guard: whether the filesystem that holds the database is nearly full. When it is,
 * mutations are refused before they run (507), so the audit log and the snapshots keep the room
 * they need, and reads go on. statfs is asked at most once per `cacheMs`.
 */
import { statfsSync } from 'node:fs';
import { formatBytes } from '../model/units.ts';

/** What the guard found: free and total bytes, and why it is low (null while there is room). */
export interface DiskState {
  freeBytes: number;
  totalBytes: number;
  low: string | null;
}

/** The thresholds: low when free space is under either. 0 turns one off. */
export interface DiskGuardLimits {
  minFreeBytes: number;
  minFreePercent: number;
}

/** The defaults: 1 GiB or 5 % free. */
export const DEFAULT_DISK_LIMITS: DiskGuardLimits = { minFreeBytes: 1024 ** 3, minFreePercent: 5 };

/** Reads a filesystem's size; statfsSync by default, a stub in tests. */
export type StatFs = (path: string) => { bavail: number; blocks: number; bsize: number };

/** Watches the free space of the filesystem at `path`. */
export class DiskGuard {
  readonly #path: string;
  readonly #limits: DiskGuardLimits;
  readonly #statfs: StatFs;
  readonly #now: () => number;
  readonly #cacheMs: number;
  #state: DiskState | null = null;
  #readAt = 0;

  constructor(path: string, limits: DiskGuardLimits = DEFAULT_DISK_LIMITS, options: { statfs?: StatFs; now?: () => number; cacheMs?: number } = {}) {
    this.#path = path;
    this.#limits = limits;
    this.#statfs = options.statfs ?? ((p) => statfsSync(p));
    this.#now = options.now ?? Date.now;
    this.#cacheMs = options.cacheMs ?? 5_000;
  }

  /** The state now (read again when the last reading is older than the cache time). */
  state(): DiskState {
    const now = this.#now();
    if (this.#state === null || now - this.#readAt >= this.#cacheMs) {
      this.#state = this.#read();
      this.#readAt = now;
    }
    return this.#state;
  }

  #read(): DiskState {
    let fs: ReturnType<StatFs>;
    try {
      fs = this.#statfs(this.#path);
    } catch (err) {
      return { freeBytes: 0, totalBytes: 0, low: `cannot read the free space of ${this.#path}: ${(err as Error).message}` };
    }
    const freeBytes = fs.bavail * fs.bsize;
    const totalBytes = fs.blocks * fs.bsize;
    return { freeBytes, totalBytes, low: lowReason(freeBytes, totalBytes, this.#limits, this.#path) };
  }
}

/** Why free space is too low under `limits`, or null. */
export function lowReason(freeBytes: number, totalBytes: number, limits: DiskGuardLimits, path: string): string | null {
  const percent = totalBytes > 0 ? (freeBytes / totalBytes) * 100 : 0;
  if (limits.minFreeBytes > 0 && freeBytes < limits.minFreeBytes) {
    return `only ${formatBytes(freeBytes)} free on the filesystem of ${path}; mutations need at least ${formatBytes(limits.minFreeBytes)}`;
  }
  if (limits.minFreePercent > 0 && percent < limits.minFreePercent) {
    return `only ${percent.toFixed(1)} % free on the filesystem of ${path}; mutations need at least ${limits.minFreePercent} %`;
  }
  return null;
}
