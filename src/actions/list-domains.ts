/**
 * Every domain with its state; with `detail`, also vCPUs, memory, CPU time, persistence and
 * autostart. The plain list is one cheap round trip: libvirt's CPU and vCPU statistics cost about
 * 2 ms per running QEMU domain, so only `detail` asks for them.
 */
import * as v from 'valibot';
import { ListFlags, type DomainSummary, type Libvirt } from '../libvirt/index.ts';
import { defineAction } from './types.ts';

/** A domain as the list and REST reads show it. */
export interface DomainView extends DomainSummary {
  /** Present with `detail`. */
  persistent?: boolean;
  /** Present with `detail`. */
  autostart?: boolean;
}

const AUTOSTART = 1024; // VIR_CONNECT_LIST_DOMAINS_AUTOSTART

const key = (uuid: Uint8Array) => Buffer.from(uuid).toString('hex');

// Drivers whose bulk stats carry only the state (the test driver) get their figures from
// DOMAIN_GET_INFO, one pipelined call per domain.
async function withInfo(lv: Libvirt, s: DomainSummary): Promise<DomainSummary> {
  const info = await lv.domainInfo(s.domain).catch(() => null);
  if (!info) return s;
  return { ...s, vcpus: info.nrVirtCpu, memoryKiB: info.memoryKiB, maxMemoryKiB: info.maxMemKiB, cpuTimeNs: info.cpuTimeNs };
}

export default defineAction({
  name: 'list-domains',
  kind: 'read',
  role: 'viewer',
  summary: 'List every domain with its state',
  input: v.strictObject({ detail: v.optional(v.boolean()) }),
  async run(input, { deps }) {
    if (!input.detail) return { data: await deps.libvirt.listDomainStates() };
    // Three independent calls, pipelined: one round trip of latency.
    const [summaries, persistent, autostart] = await Promise.all([
      deps.libvirt.listDomainSummaries(),
      deps.libvirt.listDomains(ListFlags.PERSISTENT),
      deps.libvirt.listDomains(AUTOSTART),
    ]);
    const persistentSet = new Set(persistent.map((d) => key(d.uuid)));
    const autostartSet = new Set(autostart.map((d) => key(d.uuid)));
    const complete = await Promise.all(summaries.map((s) => (s.vcpus === null ? withInfo(deps.libvirt, s) : s)));
    const data: DomainView[] = complete.map((s) => ({
      ...s,
      persistent: persistentSet.has(key(s.domain.uuid)),
      autostart: autostartSet.has(key(s.domain.uuid)),
    }));
    return { data };
  },
});
