/** One snapshot's XML, as libvirt gives it. */
import { findDomain } from './domain.ts';
import { OneSnapshot, findSnapshot } from './domain-snapshot.ts';
import { defineAction } from './types.ts';

export default defineAction({
  name: 'domain-snapshot-xml',
  kind: 'read',
  role: 'viewer',
  summary: "A snapshot's XML",
  input: OneSnapshot,
  async run(input, { deps }) {
    const snap = await findSnapshot(deps, await findDomain(deps, input.domain), input.snapshot);
    return { data: await deps.libvirt.snapshotXml(snap) };
  },
});
