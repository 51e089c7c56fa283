/** A domain's snapshots as a tree: parents before their children, the roots and the current one. */
import { findDomain } from './domain.ts';
import { snapshotTree } from './domain-snapshot.ts';
import { DomainOnly } from './schemas.ts';
import { defineAction } from './types.ts';

export default defineAction({
  name: 'domain-snapshots',
  kind: 'read',
  role: 'viewer',
  summary: "A domain's snapshots as a tree",
  input: DomainOnly,
  async run(input, { deps }) {
    return { data: await snapshotTree(deps, await findDomain(deps, input.domain)) };
  },
});
