/** One domain's XML, as libvirt gives it (without secrets). */
import { findDomain } from './domain.ts';
import { DomainOnly } from './schemas.ts';
import { defineAction } from './types.ts';

export default defineAction({
  name: 'domain-xml',
  kind: 'read',
  role: 'viewer',
  summary: "A domain's XML",
  input: DomainOnly,
  async run(input, { deps }) {
    const dom = await findDomain(deps, input.domain);
    return { data: await deps.libvirt.domainXml(dom) };
  },
});
