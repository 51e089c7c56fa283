/** Helpers for the inventory's tests: record builders (domains, snapshots, lifecycle events, host figures) and quiet background jobs. */
import type { BackgroundOptions } from '../../src/jobs/background.ts';
import type { TestApp } from './app.ts';
import type { DomainView } from '../../src/model/domain-view.ts';
import type { HostFigures, InventorySnapshot } from '../../src/model/inventory.ts';
import { LIFECYCLE_EVENTS, domainReasonText, domainStateText, lifecycleDetailName, type LifecycleEvent } from '../../src/libvirt/index.ts';

/** Snapshots only when a test asks (and after events): the cron never fires during a run. */
export const QUIET: BackgroundOptions = {
  snapshots: { schedule: '0 0 0 1 1 *', debounceMs: 200, maxDelayMs: 1000 },
  retention: { snapshotRetentionMs: 14 * 86_400_000, auditRetentionMs: null },
};

/** Counts the libvirt calls the app makes from now on. */
export function countLibvirtCalls(t: TestApp): () => number {
  const start = t.libvirtCalls();
  return () => t.libvirtCalls() - start;
}

/** A 16-byte UUID whose bytes are all `n`. */
export const uuidOf = (n: number) => Buffer.alloc(16, n);

/** A domain view; `n` makes its UUID, `id` -1 means inactive. */
export function dom(name: string, n: number, state: number, reason = 0, extra: Partial<DomainView> = {}): DomainView {
  const id = extra.domain?.id ?? (state === 5 ? -1 : n);
  return {
    domain: { name, uuid: uuidOf(n), id }, active: id !== -1, state, reason,
    stateText: domainStateText(state), reasonText: domainReasonText(state, reason),
    vcpus: 1, memoryKiB: 65_536n, maxMemoryKiB: 65_536n, cpuTimeNs: state === 1 ? 1_000_000_000n * BigInt(n) : null,
    persistent: true, autostart: false, ...extra,
  };
}

/** Host figures as a snapshot holds them. */
export const HOST: HostFigures = {
  sysinfo: {
    Uptime: 3_600_000_000_000n, Loads: [0.5, 0.25, 0.1], Procs: 321, TotalRam: 16_000_000, FreeRam: 8_000_000, SharedRam: 1000,
    BufferRam: 2000, TotalSwap: 0, FreeSwap: 0, TotalHighRam: 0, FreeHighRam: 0,
  },
  node: { model: 'x86_64', memoryKiB: 16_000_000n, cpus: 4, mhz: 2600, nodes: 1, sockets: 1, cores: 4, threads: 1 },
  libvirt: { hostname: 'gvh-a', type: 'QEMU', hypervisorVersion: 7_002_000n, libVersion: 9_000_000n, uri: 'qemu:///system' },
};

/** A successful snapshot taken at `takenAt`. */
export function snapshot(takenAt: number, domains: DomainView[], host: HostFigures = HOST): InventorySnapshot {
  return { takenAt, durationMs: 3, host, domains };
}

/** A lifecycle event as the client decodes it (`id` is the domain id it carries). */
export function lifecycle(name: string, n: number, eventName: string, detailName: string, id = -1): LifecycleEvent {
  const event = (LIFECYCLE_EVENTS as readonly string[]).indexOf(eventName);
  let detail = 0;
  while (lifecycleDetailName(event, detail) !== detailName && detail < 16) detail++;
  return { kind: 'lifecycle', callbackId: 1, domain: { name, uuid: uuidOf(n), id }, event, detail, eventName, detailName };
}
