/**
 * A guest's rates over time from its snapshot samples: between each two consecutive snapshots that
 * both saw it running (and it did not restart), CPU use (100 = one vCPU busy), disk bytes and
 * requests per second, NIC bytes per second; memory as the later one saw it. Grouped in steps (the
 * mean of the intervals that end in each); a step without any is a gap (null), never a zero. Pure.
 */
import type { GuestSamplePoint } from '../store/counter-samples.ts';
import type { DeviceIncrease } from '../store/counters-codec.ts';

/** One step's rates (null: no data in that step). */
export interface RatePoint {
  at: number;
  cpuPercent: number | null;
  memoryUsedBytes: number | null;
  memoryActualBytes: number | null;
  diskReadBps: number | null;
  diskWriteBps: number | null;
  diskIops: number | null;
  netRxBps: number | null;
  netTxBps: number | null;
}

type Field = Exclude<keyof RatePoint, 'at'>;
const FIELDS: Field[] = ['cpuPercent', 'memoryUsedBytes', 'memoryActualBytes', 'diskReadBps', 'diskWriteBps', 'diskIops', 'netRxBps', 'netTxBps'];

/** The rates of `points` (oldest first) in steps of `stepMs` from `since` to `until`. */
export function guestRates(points: readonly GuestSamplePoint[], since: number, until: number, stepMs: number): RatePoint[] {
  const count = Math.max(1, Math.ceil((until - since) / stepMs));
  const sums = Array.from({ length: count }, () => new Map<Field, { sum: number; n: number }>());
  const add = (at: number, field: Field, value: number) => {
    const i = Math.floor((at - since) / stepMs);
    if (i < 0 || i >= count) return;
    const cell = sums[i]!.get(field) ?? { sum: 0, n: 0 };
    cell.sum += value;
    cell.n += 1;
    sums[i]!.set(field, cell);
  };
  for (let k = 0; k < points.length; k++) {
    const p = points[k]!;
    if (p.sample?.usedKiB != null) add(p.at, 'memoryUsedBytes', Number(p.sample.usedKiB) * 1024);
    if (p.sample?.actualKiB != null) add(p.at, 'memoryActualBytes', Number(p.sample.actualKiB) * 1024);
    const before = points[k - 1];
    if (before) for (const [field, value] of intervalRates(before, p)) add(p.at, field, value);
  }
  return sums.map((cells, i) => ({
    at: since + i * stepMs,
    ...Object.fromEntries(FIELDS.map((f) => { const c = cells.get(f); return [f, c ? c.sum / c.n : null]; })),
  }) as RatePoint);
}

/** The rates between two consecutive snapshots, when both saw the guest running without a restart. */
function intervalRates(before: GuestSamplePoint, now: GuestSamplePoint): Array<[Field, number]> {
  const seconds = (now.at - before.at) / 1000;
  const out: Array<[Field, number]> = [];
  if (seconds <= 0) return out;
  if (before.cpuTimeNs !== null && now.cpuTimeNs !== null && now.cpuTimeNs >= before.cpuTimeNs) {
    out.push(['cpuPercent', (Number(now.cpuTimeNs - before.cpuTimeNs) / 1e9 / seconds) * 100]);
  }
  const s = now.sample;
  if (!s?.continued) return out;
  const sum = (list: DeviceIncrease[], pick: (d: DeviceIncrease) => bigint) => list.reduce((t, d) => t + Number(pick(d)), 0);
  out.push(['diskReadBps', sum(s.disks, (d) => d.a) / seconds], ['diskWriteBps', sum(s.disks, (d) => d.b) / seconds]);
  out.push(['diskIops', (sum(s.disks, (d) => d.c) + sum(s.disks, (d) => d.d)) / seconds]);
  out.push(['netRxBps', sum(s.nics, (n) => n.a) / seconds], ['netTxBps', sum(s.nics, (n) => n.b) / seconds]);
  return out;
}
