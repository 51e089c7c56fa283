/** Deletes a snapshot, or it and its descendants (children=true); its children otherwise move up. */
import * as v from 'valibot';
import { SnapshotDeleteFlags } from '../libvirt/index.ts';
import { findDomain } from './domain.ts';
import { SnapshotName, findSnapshot } from './domain-snapshot.ts';
import { Flag } from './query-schemas.ts';
import { DomainName } from './schemas.ts';
import { defineAction } from './types.ts';

export default defineAction({
  name: 'domain-snapshot-delete',
  kind: 'mutation',
  role: 'operator',
  summary: 'Deletes a snapshot (children=true: with its descendants)',
  input: v.strictObject({ domain: DomainName, snapshot: SnapshotName, children: v.optional(Flag, 'false') }),
  domainOf: (input) => input.domain,
  async run(input, { deps }) {
    const dom = await findDomain(deps, input.domain);
    const snap = await findSnapshot(deps, dom, input.snapshot);
    await deps.libvirt.deleteSnapshot(snap, input.children ? SnapshotDeleteFlags.CHILDREN : 0);
    return {
      data: { action: 'snapshot-delete', domain: input.domain, snapshot: input.snapshot, withChildren: input.children },
      audit: { snapshot: input.snapshot, withChildren: input.children },
    };
  },
});
