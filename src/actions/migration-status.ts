/** A domain's current job as libvirt reports it (a migration's data processed and remaining), and what the agent is doing with it. */
import { jobProgress } from '../migration/progress.ts';
import { findDomain } from './domain.ts';
import { DomainOnly } from './schemas.ts';
import { defineAction } from './types.ts';

export default defineAction({
  name: 'migration-status',
  kind: 'read',
  role: 'viewer',
  summary: "A domain's migration in progress: data processed and remaining (DOMAIN_GET_JOB_STATS), and the action holding it",
  input: DomainOnly,
  async run(input, { deps }) {
    const dom = await findDomain(deps, input.domain);
    const { type, stats } = await deps.libvirt.jobStats(dom);
    const job = jobProgress(type, stats);
    const migrating = job?.operation === 'migration-out' || job?.operation === 'migration-in';
    return { data: { domain: input.domain, migrating, busyWith: deps.locks.holder(input.domain) ?? null, job } };
  },
});
