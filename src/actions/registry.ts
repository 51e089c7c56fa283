/** Every action the agent knows, one line each. Both protocols dispatch through this list. */
import type { Action } from './types.ts';
import consoleSession from './console.ts';
import cpuHistory from './cpu-history.ts';
import create from './create.ts';
import define from './define.ts';
import destroy from './destroy.ts';
import domainAddresses from './domain-addresses.ts';
import domainScreenshot from './domain-screenshot.ts';
import domainStats from './domain-stats.ts';
import domainSnapshotCreate from './domain-snapshot-create.ts';
import domainSnapshotDelete from './domain-snapshot-delete.ts';
import domainSnapshotGet from './domain-snapshot-get.ts';
import domainSnapshotRevert from './domain-snapshot-revert.ts';
import domainSnapshotXml from './domain-snapshot-xml.ts';
import domainSnapshots from './domain-snapshots.ts';
import domainTimeline from './domain-timeline.ts';
import domainXml from './domain-xml.ts';
import events from './events.ts';
import getDomain from './get-domain.ts';
import historyGet from './history-get.ts';
import historyList from './history-list.ts';
import historyXml from './history-xml.ts';
import hostInfo from './host-info.ts';
import hostSysinfo from './host-sysinfo.ts';
import listDomains from './list-domains.ts';
import migrate from './migrate.ts';
import migrateCheck from './migrate-check.ts';
import migrationStatus from './migration-status.ts';
import operationCancel from './operation-cancel.ts';
import operationGet from './operation-get.ts';
import operationsList from './operations-list.ts';
import reboot from './reboot.ts';
import reset from './reset.ts';
import resume from './resume.ts';
import shutdown from './shutdown.ts';
import snapshotGet from './snapshot-get.ts';
import snapshotsList from './snapshots-list.ts';
import start from './start.ts';
import suspend from './suspend.ts';
import undefine from './undefine.ts';

/** The actions, in the order the API documents them. */
export const ACTIONS: readonly Action[] = [
  listDomains,
  getDomain,
  domainXml,
  hostSysinfo,
  hostInfo,
  historyList,
  historyGet,
  historyXml,
  snapshotsList,
  snapshotGet,
  domainTimeline,
  events,
  start,
  shutdown,
  reboot,
  reset,
  destroy,
  suspend,
  resume,
  define,
  undefine,
  create,
  migrate,
  migrateCheck,
  migrationStatus,
  domainAddresses,
  domainStats,
  cpuHistory,
  consoleSession,
  domainScreenshot,
  domainSnapshots,
  domainSnapshotGet,
  domainSnapshotXml,
  domainSnapshotCreate,
  domainSnapshotRevert,
  domainSnapshotDelete,
  operationsList,
  operationGet,
  operationCancel,
];

/** The actions by name. */
export function createRegistry(actions: readonly Action[] = ACTIONS): ReadonlyMap<string, Action> {
  return new Map(actions.map((a) => [a.name, a]));
}
