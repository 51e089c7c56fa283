/**
 * Every domain in detail, from libvirt: state, vCPUs, memory, CPU time, persistence and autostart,
 * in three pipelined calls. The inventory's snapshots and the fresh detailed list both read it.
 */
import { ListFlags, type DomainSummary, type Libvirt } from '../libvirt/index.ts';
import type { DomainView } from '../model/domain-view.ts';

const key = (uuid: Uint8Array) => Buffer.from(uuid).toString('hex');

// Drivers whose bulk stats carry only the state (the test driver) get their figures from
// DOMAIN_GET_INFO, one pipelined call per domain.
async function withInfo(lv: Libvirt, s: DomainSummary): Promise<DomainSummary> {
  const info = await lv.domainInfo(s.domain).catch(() => null);
  if (!info) return s;
  return { ...s, vcpus: info.nrVirtCpu, memoryKiB: info.memoryKiB, maxMemoryKiB: info.maxMemKiB, cpuTimeNs: info.cpuTimeNs };
}

/** Every domain with vCPUs, memory, CPU time, persistence and autostart: three pipelined calls. */
export async function listDetailed(lv: Libvirt): Promise<DomainView[]> {
  const [summaries, persistent, autostart] = await Promise.all([
    lv.listDomainSummaries(),
    lv.listDomains(ListFlags.PERSISTENT),
    lv.listDomains(ListFlags.AUTOSTART),
  ]);
  const persistentSet = new Set(persistent.map((d) => key(d.uuid)));
  const autostartSet = new Set(autostart.map((d) => key(d.uuid)));
  const complete = await Promise.all(summaries.map((s) => (s.vcpus === null ? withInfo(lv, s) : s)));
  return complete.map((s) => ({
    ...s,
    // An inactive domain has no CPU time of its own; libvirt 9.0's QEMU driver reports a cgroup's
    // figure for it anyway (the same for every inactive domain, and growing), so it is dropped.
    cpuTimeNs: s.active ? s.cpuTimeNs : null,
    persistent: persistentSet.has(key(s.domain.uuid)),
    autostart: autostartSet.has(key(s.domain.uuid)),
  }));
}
