/** One snapshot of a domain: when, in what state, its parent and children, its disks. */
import { AppError } from '../errors.ts';
import { findDomain } from './domain.ts';
import { OneSnapshot, findSnapshot, snapshotTree } from './domain-snapshot.ts';
import { defineAction } from './types.ts';

export default defineAction({
  name: 'domain-snapshot-get',
  kind: 'read',
  role: 'viewer',
  summary: 'One snapshot of a domain',
  input: OneSnapshot,
  async run(input, { deps }) {
    const dom = await findDomain(deps, input.domain);
    await findSnapshot(deps, dom, input.snapshot);
    const found = (await snapshotTree(deps, dom)).snapshots.find((s) => s.name === input.snapshot);
    if (!found) throw new AppError('NOT_FOUND', `domain '${input.domain}' has no snapshot '${input.snapshot}'`, { fields: [{ field: 'snapshot', message: 'no such snapshot' }] });
    return { data: found };
  },
});
