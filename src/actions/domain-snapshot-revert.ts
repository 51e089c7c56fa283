/** Reverts a domain to a snapshot: its disks (and memory, if saved) as they were then. */
import * as v from 'valibot';
import { AppError } from '../errors.ts';
import { LibvirtError, SnapshotRevertFlags } from '../libvirt/index.ts';
import { findDomain, stateAfter } from './domain.ts';
import { SnapshotName, findSnapshot } from './domain-snapshot.ts';
import { DomainName } from './schemas.ts';
import { defineAction } from './types.ts';

const START = { 'as-taken': 0, running: SnapshotRevertFlags.RUNNING, paused: SnapshotRevertFlags.PAUSED } as const;

export default defineAction({
  name: 'domain-snapshot-revert',
  kind: 'mutation',
  role: 'operator',
  summary: 'Reverts a domain to a snapshot (everything written since is lost)',
  input: v.strictObject({
    domain: DomainName,
    snapshot: SnapshotName,
    state: v.optional(v.picklist(['as-taken', 'running', 'paused'], 'must be as-taken, running or paused'), 'as-taken'),
  }),
  domainOf: (input) => input.domain,
  async run(input, { deps }) {
    const dom = await findDomain(deps, input.domain);
    const snap = await findSnapshot(deps, dom, input.snapshot);
    try {
      await deps.libvirt.revertToSnapshot(snap, START[input.state]);
    } catch (err) {
      if (err instanceof LibvirtError && /external/i.test(err.message)) {
        throw new AppError('CONFLICT', `snapshot '${input.snapshot}' is external, and this libvirt cannot revert to it: ${err.message}`, { fields: [{ field: 'snapshot', message: 'is external' }], libvirtCode: err.code });
      }
      throw err;
    }
    const after = await stateAfter(deps, dom);
    return { data: { action: 'snapshot-revert', domain: input.domain, snapshot: input.snapshot, ...after }, audit: { snapshot: input.snapshot, ...after } };
  },
});
