/**
 * Takes one inventory snapshot from libvirt and /proc: every domain with its figures (the detailed
 * stats cost the daemon ~2 ms per running QEMU guest, fine for a background job, never for a cached
 * read), each running guest's addresses, libvirt's node info and connection facts, and the seed's
 * sysinfo, all pipelined.
 */
import { listDetailed } from './list.ts';
import type { HostSysinfo } from '../host/sysinfo.ts';
import type { Libvirt } from '../libvirt/index.ts';
import type { InventorySnapshot } from '../model/inventory.ts';
import type { DomainView } from '../model/domain-view.ts';
import { readAddresses } from '../guest/addresses.ts';

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
  const [listed, node, libvirt, sysinfo] = await Promise.all([
    listDetailed(src.libvirt, { counters: true }), src.libvirt.nodeInfo(), src.libvirt.connectionInfo(), src.host.sysinfo(),
  ]);
  const domains = await withAddresses(src, listed, takenAt);
  return { takenAt, durationMs: performance.now() - started, host: { sysinfo, node, libvirt }, domains };
}

/** Each running guest's addresses (lease, agent and ARP for all of them at once). */
async function withAddresses(src: SnapshotSources, domains: DomainView[], now: number): Promise<DomainView[]> {
  return Promise.all(domains.map(async (d) => (d.active ? { ...d, addresses: await readAddresses(src.libvirt, d.domain, now, false) } : d)));
}
