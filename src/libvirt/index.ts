/** The libvirt client's public surface. */
export { ConsoleFlags, Libvirt, summarize, type ConnectionInfo, type DomainStateInfo, type DomainSummary, type MigrateRequest, type NodeStats } from './api/index.ts';
export { LibvirtClient, type ClientOptions, type ConnectionState, type EventSubscription } from './client.ts';
export { LibvirtTimeoutError } from './connection.ts';
export { LibvirtStream, StreamOverrunError, type StreamEnd } from './stream.ts';
export * from './constants.ts';
export * from './errors.ts';
export type { AgentEvent, DomainEvent, LifecycleEvent, RebootEvent } from './events.ts';
export type { DhcpLease, DomainInfo, DomainInterface, DomainIpAddress, DomainStatsRecord, JobInfo, NodeInfo } from './procedures.ts';
export { typedParamsToRecord, uuidFromString, uuidToString, type DomainRef, type SnapshotRef, type NetworkRef, type StoragePoolRef, type StorageVolRef, type TypedParam } from './types.ts';
export { parseLibvirtUri, isLocalDestination } from './uri.ts';
export { callerUriProblem, hostPortProblem, uriTemplateProblem } from './uri-rules.ts';
