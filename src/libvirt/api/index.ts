/**
 * The typed libvirt API the agent uses, over one LibvirtClient: one face, `Libvirt`, made of parts
 * by concern (domains, host, networks, storage, migration, events, streams, snapshots). Independent calls are
 * pipelined (sent together, matched by serial) rather than awaited one by one.
 */
import { LibvirtBase } from './base.ts';
import { withDomains } from './domains.ts';
import { withEvents } from './events.ts';
import { withHost } from './host.ts';
import { withMigration } from './migration.ts';
import { withNetworks } from './networks.ts';
import { withSnapshots } from './snapshots.ts';
import { withStorage } from './storage.ts';
import { withStreams } from './streams.ts';

export { summarize, type DomainStateInfo, type DomainSummary } from './domains.ts';
export type { ConnectionInfo, NodeStats } from './host.ts';
export type { MigrateRequest } from './migration.ts';
export { ConsoleFlags } from './streams.ts';

/** The typed API over a client; stateless apart from the client it wraps, which only it uses. */
export class Libvirt extends withSnapshots(withStreams(withEvents(withMigration(withStorage(withNetworks(withHost(withDomains(LibvirtBase)))))))) {}
