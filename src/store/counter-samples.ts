/** A guest's counters as what a snapshot keeps of them: increases since the previous snapshot. Pure. */
import type { GuestCounters, MemoryCounters } from '../model/guest-counters.ts';
import type { DeviceIncrease, GuestSample } from './counters-codec.ts';

/** One snapshot's view of one domain, for its performance history. */
export interface GuestSamplePoint {
  at: number;
  cpuTimeNs: bigint | null;
  sample: GuestSample | null;
}

/**
 * The sample of `now` against `before` (the same guest in the previous snapshot): increases per
 * device that was in both. Without `before`, or when a counter went down (the guest restarted),
 * it is not `continued`: there is no increase to speak of.
 */
export function sampleOf(now: GuestCounters, before: GuestCounters | undefined, deviceId: (name: string) => number): GuestSample {
  const memory = { actualKiB: now.memory.actualKiB, usedKiB: usedKiB(now.memory) };
  const restarted = before !== undefined && now.cpuTimeNs < before.cpuTimeNs;
  if (!before || restarted) return { continued: false, ...memory, disks: [], nics: [] };
  const disks = increases(now.disks, before.disks, (d) => [d.readBytes, d.writeBytes, d.readRequests, d.writeRequests], deviceId);
  const nics = increases(now.nics, before.nics, (n) => [n.rxBytes, n.txBytes, n.rxPackets, n.txPackets], deviceId);
  if (disks === null || nics === null) return { continued: false, ...memory, disks: [], nics: [] };
  return { continued: true, ...memory, disks, nics };
}

/** Memory the guest uses: what it has less what it reports available (or unused); null when it reports neither. */
function usedKiB(m: MemoryCounters): bigint | null {
  const free = m.availableKiB ?? m.unusedKiB;
  return m.actualKiB === null || free === null ? null : m.actualKiB > free ? m.actualKiB - free : 0n;
}

/** Increases of the devices in both lists (by name); null when any went down. */
function increases<D extends { name: string }>(now: D[], before: D[], values: (d: D) => bigint[], deviceId: (name: string) => number): DeviceIncrease[] | null {
  const out: DeviceIncrease[] = [];
  for (const d of now) {
    const b = before.find((x) => x.name === d.name);
    if (!b) continue;
    const [a1, b1, c1, d1] = values(d).map((v, i) => v - values(b)[i]!);
    if (a1! < 0n || b1! < 0n || c1! < 0n || d1! < 0n) return null;
    out.push({ device: deviceId(d.name), a: a1!, b: b1!, c: c1!, d: d1! });
  }
  return out;
}
