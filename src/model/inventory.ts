/** The inventory's shapes: host figures, snapshots, and state changes. */
import type { DomainView } from './domain-view.ts';
import type { HostSysinfo } from '../host/sysinfo.ts';
import type { ConnectionInfo, NodeInfo } from '../libvirt/index.ts';

/** The host's figures: the seed's `metal` sysinfo, libvirt's node info and connection facts. */
export interface HostFigures {
  sysinfo: HostSysinfo;
  node: NodeInfo;
  libvirt: ConnectionInfo;
}

/** What one successful snapshot run saw. */
export interface InventorySnapshot {
  /** When the run started (epoch ms). */
  takenAt: number;
  durationMs: number;
  host: HostFigures;
  domains: DomainView[];
}

/** A stored snapshot run, successful or failed; `domains` only when asked for. */
export interface SnapshotRecord {
  id: number;
  takenAt: number;
  durationMs: number;
  ok: boolean;
  error: string | null;
  domainCount: number | null;
  host: HostFigures | null;
  domains?: DomainView[];
}

/** Snapshot listing filters: times are epoch ms, inclusive; `before` is the previous page's cursor. */
export interface SnapshotQuery {
  since?: number;
  until?: number;
  before?: number;
  limit: number;
  withDomains: boolean;
}

/** One page of snapshots, newest first. */
export interface SnapshotPage {
  snapshots: SnapshotRecord[];
  nextCursor: number | null;
}

/** Why a domain's state changed: libvirt's event, or a snapshot that found it changed. */
export type ChangeCause = { type: 'event'; event: string } | { type: 'snapshot' };

/** One change of a domain's state (virsh texts; 'undefined' when the domain did not exist). */
export interface StateChange {
  domain: string;
  uuid: Buffer;
  at: number;
  from: string;
  to: string;
  reason: string;
  cause: ChangeCause;
}

/** A stored state change, with the audited action running on the domain at the time, if any. */
export interface StateChangeRecord extends StateChange {
  id: number;
  auditId: number | null;
  action: string | null;
  actor: string | null;
}

/** Timeline filters (times epoch ms, inclusive); `before` is the previous page's cursor. */
export interface TimelineQuery {
  domain: string;
  since?: number;
  until?: number;
  before?: number;
  limit: number;
}

/** One page of a domain's timeline, newest first. */
export interface TimelinePage {
  changes: StateChangeRecord[];
  nextCursor: number | null;
}

/** State a domain has when it does not exist. */
export const UNDEFINED_STATE = 'undefined';
