/**
 * Peer-to-peer migration to the host named in `target` (a host name through the URI template, or,
 * only where the operator allows it, a full URI): pre-checked, progress read while it runs, aborted on its timeout, and told in the
 * audit record from both ends (running on the destination and gone from the source, or the error
 * with the guest still on the source).
 */
import { withAuditResult } from '../errors.ts';
import { onDestination, migrationError } from '../migration/outcome.ts';
import { moveDhcpEntries, networkNics } from '../migration/dhcp.ts';
import { MigrateInput } from '../migration/options.ts';
import { performMigration } from '../migration/perform.ts';
import { operationProgress } from '../migration/progress.ts';
import { precheck, precheckError } from '../migration/precheck.ts';
import { stateAfter } from './domain.ts';
import { defineAction } from './types.ts';

export default defineAction({
  name: 'migrate',
  kind: 'mutation',
  role: 'admin',
  cancelable: true,
  summary: 'Migrate a domain to another host (peer to peer; live by default), after the same checks as migrate-check; cancelable (the guest stays on the source)',
  input: MigrateInput,
  domainOf: (input) => input.domain,
  async run(input, { deps, signal, progress }) {
    const pre = await precheck(deps, input);
    await pre.dest?.close();
    const { report, dom } = pre;
    const checks = report.checks;
    if (!report.ok || !dom) {
      const source = dom ? await stateAfter(deps, dom) : null;
      throw withAuditResult(precheckError(report), { migrated: false, destination: report.destinationUri, checks, source });
    }
    const nics = networkNics(await deps.libvirt.domainXml(dom));
    signal.throwIfAborted();
    progress({ phase: 'starting', percent: 0 });
    const performed = await performMigration(deps, dom, report.destinationUri, input, { signal, report: (p) => progress(operationProgress(p)) });
    const source = await stateAfter(deps, dom);
    const run = { mode: report.mode, flags: report.flags, progress: performed.progress, progressReads: performed.progressReads, durationMs: performed.durationMs };
    if (performed.error !== null) {
      throw withAuditResult(migrationError(performed, report.destinationUri, source), {
        migrated: false, destination: report.destinationUri, ...run, abortedAfterMs: performed.abortedAfterMs, source, checks,
      });
    }
    const there = await onDestination(deps, report.destinationUri, dom);
    const now = 'state' in there ? { state: there.state, reason: there.reason } : source;
    // The guest's fixed addresses follow it once it lives on the destination: it runs there, or
    // its definition left the source. An offline copy that stays defined here keeps them here.
    const movedHome = report.mode === 'live' || source.state === 'undefined';
    const dhcp = movedHome ? await moveDhcpEntries(deps, nics, report.destinationUri) : [];
    const facts = { migrated: true, destination: report.destinationUri, ...run, source, onDestination: there, dhcp, checks };
    return { data: { action: 'migrate', domain: input.domain, ...now, ...facts }, audit: { ...now, ...facts } };
  },
});
