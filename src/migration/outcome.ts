/**
 * What happened, told from both ends: where the guest is on the source afterwards, and (when the
 * agent can reach the destination) its state there and the completed job's figures.
 */
import type { MigrationHost } from './host.ts';
import { AppError, toAppError } from '../errors.ts';
import { ErrorCode, LibvirtError, isNotFound, type DomainRef } from '../libvirt/index.ts';
import { reachDestination } from './destination.ts';
import type { Performed } from './perform.ts';
import { jobProgress, type JobProgress } from './progress.ts';

/** The guest as the destination sees it after a successful migration. */
export interface OnDestination { hostname: string; state: string; reason: string; persistent: boolean; completed: JobProgress | null }

/** Looks the migrated guest up on the destination by UUID; null with a reason when it cannot. */
export async function onDestination(deps: MigrationHost, uri: string, dom: DomainRef): Promise<OnDestination | { unverified: string }> {
  const reach = await reachDestination(uri, deps.settings.migrateCheckTimeoutMs);
  if (!reach.reachable) return { unverified: reach.reason };
  const { lv, hostname } = reach.dest;
  try {
    const there = await lv.lookupDomainByUuid(dom.uuid);
    const [s, persistent, job] = await Promise.all([
      lv.domainState(there), lv.isPersistent(there), lv.jobStats(there, 1).catch(() => ({ type: 0, stats: {} })),
    ]);
    return { hostname, state: s.stateText, reason: s.reasonText, persistent, completed: jobProgress(job.type, job.stats) };
  } catch (err) {
    if (isNotFound(err)) return { unverified: `no domain with its UUID on ${hostname}` };
    throw err;
  } finally {
    await reach.dest.close();
  }
}

/** The error a failed migration call becomes: a timeout abort, an unreachable destination, or libvirt's own. */
export function migrationError(p: Performed, uri: string, source: { state: string; reason: string }): AppError {
  const base = toAppError(p.error);
  const still = `the guest is ${source.state === 'undefined' ? 'gone from' : `still ${source.state} (${source.reason}) on`} the source`;
  if (p.abortedAfterMs !== null) {
    return new AppError('LIBVIRT_TIMEOUT', `migration aborted by its timeout after ${p.abortedAfterMs} ms; ${still}`, base.details);
  }
  if (unreachable(p.error)) return new AppError('DESTINATION_UNREACHABLE', `the source cannot reach ${uri}: ${base.message}; ${still}`, { ...base.details, fields: [{ field: 'target', message: 'is not reachable from this host' }] });
  return new AppError(base.code, `${base.message}; ${still}`, base.details);
}

// The source daemon's own connection to the destination failed (virNetSocket: code 38, domain 7 RPC).
function unreachable(err: unknown): boolean {
  return err instanceof LibvirtError && err.code === ErrorCode.SYSTEM_ERROR && err.domain === 7;
}
