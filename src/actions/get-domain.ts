/** One domain: state with reason, vCPUs, memory, CPU time, persistence, autostart, addresses; fresh or cached. */
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { readInventory } from './cached-read.ts';
import { ListFlags } from '../libvirt/index.ts';
import { findDomain } from './domain.ts';
import type { DomainView } from '../model/domain-view.ts';
import { DomainOnly } from './schemas.ts';
import { addressesOf } from './domain-addresses.ts';
import { defineAction } from './types.ts';

async function freshDomain(deps: Deps, name: string): Promise<DomainView> {
  const lv = deps.libvirt;
  const dom = await findDomain(deps, name);
  const [state, info, autostart, persistent, addresses] = await Promise.all([
    lv.domainState(dom), lv.domainInfo(dom), lv.getAutostart(dom), lv.listDomains(ListFlags.PERSISTENT), addressesOf(deps, dom, 0),
  ]);
  return {
    domain: dom,
    active: dom.id !== -1,
    ...state,
    vcpus: info.nrVirtCpu,
    memoryKiB: info.memoryKiB,
    maxMemoryKiB: info.maxMemKiB,
    cpuTimeNs: info.cpuTimeNs,
    persistent: persistent.some((d) => Buffer.compare(d.uuid, dom.uuid) === 0),
    autostart,
    addresses: addresses.addresses,
  };
}

export default defineAction({
  name: 'get-domain',
  kind: 'read',
  role: 'viewer',
  summary: 'One domain with its state and figures',
  input: DomainOnly,
  run(input, ctx) {
    return readInventory(ctx, () => freshDomain(ctx.deps, input.domain), (view) => {
      const entry = view.get(input.domain);
      if (!entry) throw new AppError('NOT_FOUND', `domain '${input.domain}' not found in the inventory`, { fields: [{ field: 'domain', message: 'no such domain' }] });
      return { data: entry.view, modifiedAt: entry.updatedAt };
    });
  },
});
