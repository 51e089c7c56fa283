/** Builds the operating parts of the deps (readiness checks, metrics, running actions) over the agent's own parts. */
import type { HostSysinfo } from '../host/sysinfo.ts';
import type { Libvirt } from '../libvirt/index.ts';
import type { Database } from '../store/db.ts';
import type { DiskGuard } from '../store/disk-guard.ts';
import type { InventoryView } from '../inventory/view.ts';
import { InFlight } from '../model/in-flight.ts';
import { AgentMetrics } from './metrics.ts';
import type { Ops } from '../deps.ts';
import { databaseCheck, diskCheck, libvirtCheck, notStoppingCheck, snapshotAgeCheck } from './readiness.ts';

/** What buildOps reads from. */
export interface OpsSources {
  version: string;
  libvirt: Libvirt;
  db: Database;
  sysinfo(): Promise<HostSysinfo>;
  actionNames: Iterable<string>;
  stopping(): boolean;
  /** The inventory view: domains by state come from it (no libvirt call at scrape time), and /readyz bounds its age. */
  inventory?: { view: InventoryView; maxAgeMs: number; now(): number };
  /** The disk guard: /readyz says when it refuses mutations, and a metric shows its free space. */
  disk?: DiskGuard;
}

/** The Ops for one agent; subscribes its metrics to the connection's state changes. */
export function buildOps(src: OpsSources): Ops {
  const inFlight = new InFlight();
  const inv = src.inventory;
  const libvirt = src.libvirt;
  const metrics = new AgentMetrics({
    version: src.version,
    libvirtState: () => libvirt.state,
    actionsInFlight: () => inFlight.size,
    domainStates: inv ? async () => [...inv.view.list()] : () => src.libvirt.listDomainStates(),
    sysinfo: src.sysinfo,
    lastSnapshotAt: () => inv?.view.takenAt ?? null,
    ...(inv && { domainViews: () => inv.view.list() }),
    ...(src.disk && { disk: () => src.disk!.state() }),
  }, src.actionNames);
  libvirt.onStateChange((state) => metrics.observeLibvirtState(state));
  return {
    readiness: [
      notStoppingCheck(src.stopping), libvirtCheck(libvirt), databaseCheck(src.db),
      ...(inv ? [snapshotAgeCheck(() => inv.view.takenAt, inv.now, inv.maxAgeMs)] : []),
      ...(src.disk ? [diskCheck(src.disk)] : []),
    ],
    metrics,
    inFlight,
    stopping: src.stopping,
  };
}
