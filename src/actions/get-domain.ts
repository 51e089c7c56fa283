/** One domain: state with reason, vCPUs, memory, CPU time, persistence, autostart. */
import { ListFlags } from '../libvirt/index.ts';
import { findDomain } from './domain.ts';
import type { DomainView } from './list-domains.ts';
import { DomainOnly } from './schemas.ts';
import { defineAction } from './types.ts';

export default defineAction({
  name: 'get-domain',
  kind: 'read',
  role: 'viewer',
  summary: 'One domain with its state and figures',
  input: DomainOnly,
  async run(input, { deps }) {
    const lv = deps.libvirt;
    const dom = await findDomain(deps, input.domain);
    const [state, info, autostart, persistent] = await Promise.all([
      lv.domainState(dom), lv.domainInfo(dom), lv.getAutostart(dom), lv.listDomains(ListFlags.PERSISTENT),
    ]);
    const data: DomainView = {
      domain: dom,
      active: dom.id !== -1,
      ...state,
      vcpus: info.nrVirtCpu,
      memoryKiB: info.memoryKiB,
      maxMemoryKiB: info.maxMemKiB,
      cpuTimeNs: info.cpuTimeNs,
      persistent: persistent.some((d) => Buffer.compare(d.uuid, dom.uuid) === 0),
      autostart,
    };
    return { data };
  },
});
