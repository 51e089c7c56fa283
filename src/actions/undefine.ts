/**
 * Undefines a domain (also its managed save, snapshot and checkpoint metadata and NVRAM), first
 * recording its XML so `define` can bring it back.
 */
import { XmlFlags } from '../libvirt/index.ts';
import { findDomain, stateAfter } from './domain.ts';
import { DomainOnly } from './schemas.ts';
import { defineAction } from './types.ts';

export default defineAction({
  name: 'undefine',
  kind: 'mutation',
  role: 'admin',
  summary: 'Undefine a domain; its XML is kept so define can restore it',
  input: DomainOnly,
  domainOf: (input) => input.domain,
  async run(input, { deps, auditId }) {
    const dom = await findDomain(deps, input.domain);
    const xml = await deps.libvirt.domainXml(dom, XmlFlags.INACTIVE); // without SECURE: no passwords kept
    await deps.libvirt.undefine(dom);
    deps.definitions.rememberUndefined(input.domain, xml, auditId ?? 0, deps.clock.now());
    const after = await stateAfter(deps, dom);
    return { data: { action: 'undefine', domain: input.domain, ...after }, audit: { ...after, xml } };
  },
});
