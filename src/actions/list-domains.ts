/**
 * Every domain with its state; with `detail`, also vCPUs, memory, CPU time, persistence and
 * autostart. The plain list is one cheap round trip: libvirt's CPU and vCPU statistics cost about
 * 2 ms per running QEMU domain, so only `detail` asks for them. A cached answer is the inventory
 * view's list (always with the detail), and never touches libvirt.
 */
import * as v from 'valibot';
import { readInventory } from '../inventory/read.ts';
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

/** Every domain with vCPUs, memory, CPU time, persistence and autostart: three pipelined calls. */
export async function listDetailed(lv: Libvirt): Promise<DomainView[]> {
  const [summaries, persistent, autostart] = await Promise.all([
    lv.listDomainSummaries(),
    lv.listDomains(ListFlags.PERSISTENT),
    lv.listDomains(AUTOSTART),
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

export default defineAction({
  name: 'list-domains',
  kind: 'read',
  role: 'viewer',
  summary: 'List every domain with its state',
  input: v.strictObject({ detail: v.optional(v.boolean()) }),
  run(input, ctx) {
    const lv = ctx.deps.libvirt;
    const fresh = (): Promise<readonly DomainView[]> => (input.detail ? listDetailed(lv) : lv.listDomainStates());
    return readInventory(ctx, fresh, (view) => ({ data: view.list() }));
  },
});
