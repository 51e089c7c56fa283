/** A domain snapshot as the API shows it: one node of the domain's snapshot tree. */

/** One snapshot of a domain. */
export interface DomainSnapshotView {
  name: string;
  description: string | null;
  /** The domain's state when it was taken (running, shutoff, disk-snapshot...). */
  state: string | null;
  /** When it was taken (epoch ms). */
  createdAt: number | null;
  parent: string | null;
  children: string[];
  current: boolean;
  /** internal: in the qcow2 images; external: in overlay files (disk-only, or with a memory file). */
  location: 'internal' | 'external';
  /** Whether the guest's memory was saved with it (a revert resumes it running). */
  withMemory: boolean;
  disks: Array<{ name: string; snapshot: string }>;
}

/** A domain's snapshots, parents before their children, with the roots and the current one. */
export interface DomainSnapshotTree {
  domain: string;
  snapshots: DomainSnapshotView[];
  roots: string[];
  current: string | null;
}
