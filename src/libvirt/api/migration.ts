/** The migration calls of the typed API: peer-to-peer migration and the job it runs as. */
import { ErrorCode, LibvirtError } from '../errors.ts';
import { Proc, type JobInfo } from '../procedures.ts';
import { typedParamsToRecord, type DomainRef, type TypedParam } from '../types.ts';
import { isLocalDestination } from '../uri.ts';
import type { ApiConstructor } from './base.ts';

/** Peer-to-peer migration request. */
export interface MigrateRequest {
  /** Destination daemon URI as the source daemon sees it, e.g. qemu+tcp://host/system. */
  destinationUri: string;
  flags: number;
  params?: TypedParam[];
  timeoutMs?: number;
}

/** Adds the migration calls to the API. */
export function withMigration<B extends ApiConstructor>(Base: B) {
  abstract class MigrationCalls extends Base {
    /**
     * Peer-to-peer migration (virDomainMigrateToURI3 with PEER2PEER): one call on the source; its
     * daemon dials the destination and drives the protocol. Blocks until the migration ends.
     */
    async migrate(dom: DomainRef, req: MigrateRequest): Promise<void> {
      if (isLocalDestination(req.destinationUri)) {
        throw new LibvirtError(ErrorCode.INVALID_ARG, 0, `Attempt to migrate guest to the same host: ${req.destinationUri}`);
      }
      const args = { dom, dconnuri: req.destinationUri, params: req.params ?? [], cookieIn: Buffer.alloc(0), flags: req.flags };
      await this.call(Proc.DOMAIN_MIGRATE_PERFORM3_PARAMS, args, { timeoutMs: req.timeoutMs ?? 0 });
    }

    /** Progress of the domain's current job (type 0 when none). */
    jobInfo(dom: DomainRef): Promise<JobInfo> {
      return this.call(Proc.DOMAIN_GET_JOB_INFO, dom);
    }

    /** Job statistics as typed parameters (flags: COMPLETED 1, KEEP_COMPLETED 2). */
    async jobStats(dom: DomainRef, flags = 0): Promise<{ type: number; stats: Record<string, number | bigint | boolean | string> }> {
      const { type, params } = await this.call(Proc.DOMAIN_GET_JOB_STATS, { dom, flags });
      return { type, stats: typedParamsToRecord(params) };
    }

    /** Aborts the current job (error 55 when there is none). */
    abortJob(dom: DomainRef, flags = 0): Promise<void> {
      return flags === 0 ? this.call(Proc.DOMAIN_ABORT_JOB, dom) : this.call(Proc.DOMAIN_ABORT_JOB_FLAGS, { dom, flags });
    }
  }
  return MigrationCalls;
}
