/** The snapshot calls of the typed API: create, list, read, revert, delete. */
import { SnapshotListFlags } from '../constants.ts';
import { Proc } from '../procedures.ts';
import type { DomainRef, SnapshotRef } from '../types.ts';
import type { ApiConstructor } from './base.ts';

/** Adds the snapshot calls to the API. */
export function withSnapshots<B extends ApiConstructor>(Base: B) {
  abstract class SnapshotCalls extends Base {
    /** Creates a snapshot from its <domainsnapshot> XML with SnapshotCreateFlags. */
    createSnapshot(dom: DomainRef, xml: string, flags = 0): Promise<SnapshotRef> {
      return this.call(Proc.DOMAIN_SNAPSHOT_CREATE_XML, { dom, xml, flags });
    }

    /** Every snapshot of a domain, parents before their children. */
    listSnapshots(dom: DomainRef, flags: number = SnapshotListFlags.TOPOLOGICAL): Promise<SnapshotRef[]> {
      return this.call(Proc.DOMAIN_LIST_ALL_SNAPSHOTS, { dom, flags });
    }

    /** One snapshot by name (error 72, no domain snapshot, when missing). */
    lookupSnapshot(dom: DomainRef, name: string): Promise<SnapshotRef> {
      return this.call(Proc.DOMAIN_SNAPSHOT_LOOKUP_BY_NAME, { dom, name, flags: 0 });
    }

    /** A snapshot's <domainsnapshot> XML (its parent, state, time, disks and memory). */
    snapshotXml(snap: SnapshotRef): Promise<string> {
      return this.call(Proc.DOMAIN_SNAPSHOT_GET_XML_DESC, { snap, flags: 0 });
    }

    /** The domain's current snapshot, or null when it has none. */
    async currentSnapshot(dom: DomainRef): Promise<SnapshotRef | null> {
      if (!(await this.call(Proc.DOMAIN_HAS_CURRENT_SNAPSHOT, { dom, flags: 0 }))) return null;
      return this.call(Proc.DOMAIN_SNAPSHOT_CURRENT, { dom, flags: 0 });
    }

    /** Reverts the domain to a snapshot with SnapshotRevertFlags. */
    revertToSnapshot(snap: SnapshotRef, flags = 0): Promise<void> {
      return this.call(Proc.DOMAIN_REVERT_TO_SNAPSHOT, { snap, flags });
    }

    /** Deletes a snapshot with SnapshotDeleteFlags. */
    deleteSnapshot(snap: SnapshotRef, flags = 0): Promise<void> {
      return this.call(Proc.DOMAIN_SNAPSHOT_DELETE, { snap, flags });
    }
  }
  return SnapshotCalls;
}
