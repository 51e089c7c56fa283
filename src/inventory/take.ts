/**
 * Takes one inventory snapshot from libvirt and /proc: every domain with its figures (the detailed
 * stats cost the daemon ~2 ms per running QEMU guest, fine for a background job, never for a cached
 * read), libvirt's node info and connection facts, and the seed's sysinfo, all pipelined.
 */
import { listDetailed } from './list.ts';
import type { HostSysinfo } from '../host/sysinfo.ts';
import type { Libvirt } from '../libvirt/index.ts';
import type { InventorySnapshot } from '../model/inventory.ts';

/** What taking a snapshot needs. */
export interface SnapshotSources {
  libvirt: Libvirt;
  host: { sysinfo(): Promise<HostSysinfo> };
  clock: { now(): number };
}

/** Reads everything a snapshot holds; rejects if libvirt is unreachable or fails. */
export async function takeSnapshot(src: SnapshotSources): Promise<InventorySnapshot> {
  const takenAt = src.clock.now();
  const started = performance.now();
  const [domains, node, libvirt, sysinfo] = await Promise.all([
    listDetailed(src.libvirt, { counters: true }), src.libvirt.nodeInfo(), src.libvirt.connectionInfo(), src.host.sysinfo(),
  ]);
  return { takenAt, durationMs: performance.now() - started, host: { sysinfo, node, libvirt }, domains };
}
