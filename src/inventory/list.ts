/**
 * Every domain in detail, from libvirt: state, vCPUs, memory, CPU time, persistence and autostart,
 * in three pipelined calls. The inventory's snapshots and the fresh detailed list both read it.
 */
import { ListFlags, StatsGroup, summarize, type DomainSummary, type Libvirt } from '../libvirt/index.ts';
import type { GuestCounters } from '../model/guest-counters.ts';
import { countersOf } from './counters.ts';
import type { DomainView } from '../model/domain-view.ts';

const key = (uuid: Uint8Array) => Buffer.from(uuid).toString('hex');

// Drivers whose bulk stats carry only the state (the test driver) get their figures from
// DOMAIN_GET_INFO, one pipelined call per domain.
async function withInfo(lv: Libvirt, s: DomainSummary): Promise<DomainSummary> {
  const info = await lv.domainInfo(s.domain).catch(() => null);
  if (!info) return s;
  return { ...s, vcpus: info.nrVirtCpu, memoryKiB: info.memoryKiB, maxMemoryKiB: info.maxMemKiB, cpuTimeNs: info.cpuTimeNs };
}

const SUMMARY_GROUPS = StatsGroup.STATE | StatsGroup.CPU_TOTAL | StatsGroup.BALLOON | StatsGroup.VCPU;

/**
 * Every domain with vCPUs, memory, CPU time, persistence and autostart: three pipelined calls.
 * With `counters` (the snapshots), the same stats call also brings each running guest's disk and
 * NIC counters (libvirt asks QEMU for them, so the fresh reads leave them out).
 */
export async function listDetailed(lv: Libvirt, options: { counters?: boolean } = {}): Promise<DomainView[]> {
  const groups = SUMMARY_GROUPS | (options.counters ? StatsGroup.INTERFACE | StatsGroup.BLOCK : 0);
  const [records, persistent, autostart] = await Promise.all([
    lv.domainStats(groups),
    lv.listDomains(ListFlags.PERSISTENT),
    lv.listDomains(ListFlags.AUTOSTART),
  ]);
  const summaries = records.map(summarize);
  const counters = options.counters ? new Map(records.map((r) => [key(r.dom.uuid), countersOf(r)])) : null;
  const persistentSet = new Set(persistent.map((d) => key(d.uuid)));
  const autostartSet = new Set(autostart.map((d) => key(d.uuid)));
  const complete = await Promise.all(summaries.map((s) => (s.vcpus === null ? withInfo(lv, s) : s)));
  return complete.map((s) => ({
    ...s,
    ...withCounters(counters?.get(key(s.domain.uuid)) ?? null),
    // An inactive domain has no CPU time of its own; libvirt 9.0's QEMU driver reports a cgroup's
    // figure for it anyway (the same for every inactive domain, and growing), so it is dropped.
    cpuTimeNs: s.active ? s.cpuTimeNs : null,
    persistent: persistentSet.has(key(s.domain.uuid)),
    autostart: autostartSet.has(key(s.domain.uuid)),
  }));
}

const withCounters = (c: GuestCounters | null): { counters?: GuestCounters } => (c ? { counters: c } : {});
