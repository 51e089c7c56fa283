/**
 * Conversions between inventory values and the rows of migrations/0003_inventory_snapshots.sql:
 * host figures as columns plus one shared host_infos JSON, domain figures as run rows. Pure.
 */
import type { GuestAddresses } from '../model/addresses.ts';
import type { DomainView } from '../model/domain-view.ts';
import type { HostSysinfo } from '../host/sysinfo.ts';
import { toJson } from '../model/json.ts';
import { domainReasonText, domainStateText, type ConnectionInfo, type NodeInfo } from '../libvirt/index.ts';
import type { HostFigures, SnapshotRecord } from '../model/inventory.ts';

/** A snapshots row joined with its host_infos JSON. */
export interface SnapshotRow {
  id: number;
  taken_at: number;
  duration_ms: number;
  ok: number;
  error: string | null;
  domain_count: number | null;
  node_mhz: number | null;
  uptime_s: number | null;
  load1: number | null;
  load5: number | null;
  load15: number | null;
  procs: number | null;
  total_ram: number | null;
  free_ram: number | null;
  shared_ram: number | null;
  buffer_ram: number | null;
  total_swap: number | null;
  free_swap: number | null;
  total_high_ram: number | null;
  free_high_ram: number | null;
  cpu_times: Buffer | null;
  host_info: string | null;
}

/** The figures of a domain that a run keeps (everything but the CPU time), as bound values. */
export interface RunFigures {
  name: string;
  libvirtId: number;
  state: number;
  reason: number;
  vcpus: number | null;
  memoryKiB: number | null;
  maxMemoryKiB: number | null;
  persistent: number | null;
  autostart: number | null;
  /** The guest's NICs and addresses as JSON (migrations/0009), or null. */
  addresses: string | null;
}

/** A snapshot_domains row joined with its domain's UUID. */
export interface RunRow {
  domain_id: number;
  uuid: Buffer;
  name: string;
  libvirt_id: number;
  state: number;
  reason: number;
  vcpus: number | null;
  memory_kib: number | null;
  max_memory_kib: number | null;
  persistent: number | null;
  autostart: number | null;
  addresses: string | null;
}

const big = (v: number | null) => (v === null ? null : BigInt(v));
const num = (v: bigint | null) => (v === null ? null : Number(v));
const flag = (v: boolean | undefined) => (v === undefined ? null : v ? 1 : 0);

/** The sysinfo columns of a snapshot row, named as the insert statement binds them. */
export function sysinfoColumns(s: HostSysinfo): Record<string, number> {
  return {
    uptimeS: Number(s.Uptime / 1_000_000_000n), load1: s.Loads[0], load5: s.Loads[1], load15: s.Loads[2], procs: s.Procs,
    totalRam: s.TotalRam, freeRam: s.FreeRam, sharedRam: s.SharedRam, bufferRam: s.BufferRam, totalSwap: s.TotalSwap,
    freeSwap: s.FreeSwap, totalHighRam: s.TotalHighRam, freeHighRam: s.FreeHighRam,
  };
}

/** The host_infos JSON of a snapshot: node info without its CPU frequency, and the connection facts. */
export function hostInfoJson(host: HostFigures): string {
  const { mhz: _mhz, ...node } = host.node;
  return toJson({ node, libvirt: host.libvirt });
}

/** A stored snapshot row as a record (without domains). */
export function recordFromRow(row: SnapshotRow): SnapshotRecord {
  return {
    id: row.id, takenAt: row.taken_at, durationMs: row.duration_ms, ok: row.ok === 1, error: row.error,
    domainCount: row.domain_count, host: row.ok === 1 ? hostFromRow(row) : null,
  };
}

function hostFromRow(row: SnapshotRow): HostFigures | null {
  if (row.host_info === null || row.uptime_s === null) return null;
  const info = JSON.parse(row.host_info) as { node: Omit<NodeInfo, 'mhz'> & { memoryKiB: number }; libvirt: ConnectionInfo & { hypervisorVersion: number; libVersion: number } };
  const node: NodeInfo = { ...info.node, memoryKiB: BigInt(info.node.memoryKiB), mhz: row.node_mhz ?? 0 };
  const libvirt: ConnectionInfo = { ...info.libvirt, hypervisorVersion: BigInt(info.libvirt.hypervisorVersion), libVersion: BigInt(info.libvirt.libVersion) };
  const sysinfo: HostSysinfo = {
    Uptime: BigInt(row.uptime_s) * 1_000_000_000n, Loads: [row.load1 ?? 0, row.load5 ?? 0, row.load15 ?? 0], Procs: row.procs ?? 0,
    TotalRam: row.total_ram ?? 0, FreeRam: row.free_ram ?? 0, SharedRam: row.shared_ram ?? 0, BufferRam: row.buffer_ram ?? 0,
    TotalSwap: row.total_swap ?? 0, FreeSwap: row.free_swap ?? 0, TotalHighRam: row.total_high_ram ?? 0, FreeHighRam: row.free_high_ram ?? 0,
  };
  return { sysinfo, node, libvirt };
}

/** What a run keeps of a domain. */
export function runFigures(d: DomainView): RunFigures {
  return {
    name: d.domain.name, libvirtId: d.domain.id, state: d.state, reason: d.reason, vcpus: d.vcpus,
    memoryKiB: num(d.memoryKiB), maxMemoryKiB: num(d.maxMemoryKiB), persistent: flag(d.persistent), autostart: flag(d.autostart),
    addresses: d.addresses ? JSON.stringify({ readAt: d.addresses.readAt, nics: d.addresses.nics, sources: d.addresses.sources }) : null,
  };
}

/** Whether two runs' figures are the same (so the older run goes on). */
export function sameFigures(a: RunFigures, b: RunFigures): boolean {
  return a.name === b.name && a.libvirtId === b.libvirtId && a.state === b.state && a.reason === b.reason && a.vcpus === b.vcpus
    && a.memoryKiB === b.memoryKiB && a.maxMemoryKiB === b.maxMemoryKiB && a.persistent === b.persistent && a.autostart === b.autostart
    && sameAddresses(a.addresses, b.addresses);
}

// The time they were read changes every snapshot; only the NICs and sources make a new run.
function sameAddresses(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return a === b;
  const strip = (json: string) => { const { readAt: _t, ...rest } = JSON.parse(json) as { readAt: number }; return JSON.stringify(rest); };
  return strip(a) === strip(b);
}

/** A run row back as a domain, with the CPU time of its snapshot. */
export function domainFromRun(row: RunRow, cpuTimeNs: bigint | null): DomainView {
  return {
    domain: { name: row.name, uuid: Buffer.from(row.uuid), id: row.libvirt_id },
    active: row.libvirt_id !== -1,
    state: row.state, reason: row.reason, stateText: domainStateText(row.state), reasonText: domainReasonText(row.state, row.reason),
    vcpus: row.vcpus, memoryKiB: big(row.memory_kib), maxMemoryKiB: big(row.max_memory_kib), cpuTimeNs,
    ...(row.persistent !== null && { persistent: row.persistent === 1 }),
    ...(row.autostart !== null && { autostart: row.autostart === 1 }),
    ...(row.addresses !== null && { addresses: JSON.parse(row.addresses) as GuestAddresses }),
  };
}

/** The figures of a run row, to compare with the next snapshot's. */
export function figuresFromRun(row: RunRow): RunFigures {
  return {
    name: row.name, libvirtId: row.libvirt_id, state: row.state, reason: row.reason, vcpus: row.vcpus, memoryKiB: row.memory_kib,
    maxMemoryKiB: row.max_memory_kib, persistent: row.persistent, autostart: row.autostart, addresses: row.addresses,
  };
}
