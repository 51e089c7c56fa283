/**
 * libvirt enums and flags the agent uses, with the names virsh prints
 * (include/libvirt/libvirt-domain.h, tools/virsh-domain-monitor.c; libvirt 9.0.0).
 */

/** virDomainState. */
export const DomainState = {
  NOSTATE: 0,
  RUNNING: 1,
  BLOCKED: 2,
  PAUSED: 3,
  SHUTDOWN: 4,
  SHUTOFF: 5,
  CRASHED: 6,
  PMSUSPENDED: 7,
} as const;

const STATE_TEXT = ['no state', 'running', 'idle', 'paused', 'in shutdown', 'shut off', 'crashed', 'pmsuspended'];

/** The string virsh prints for a virDomainState ("shut off", "in shutdown", …). */
export function domainStateText(state: number): string {
  return STATE_TEXT[state] ?? 'no state';
}

const REASON_TEXT: Record<number, readonly string[]> = {
  [DomainState.NOSTATE]: ['unknown'],
  [DomainState.RUNNING]: ['unknown', 'booted', 'migrated', 'restored', 'from snapshot', 'unpaused',
    'migration canceled', 'save canceled', 'event wakeup', 'crashed', 'post-copy', 'post-copy failed'],
  [DomainState.BLOCKED]: ['unknown'],
  [DomainState.PAUSED]: ['unknown', 'user', 'migrating', 'saving', 'dumping', 'I/O error', 'watchdog',
    'from snapshot', 'shutting down', 'creating snapshot', 'crashed', 'starting up', 'post-copy',
    'post-copy failed', 'api error'],
  [DomainState.SHUTDOWN]: ['unknown', 'user'],
  [DomainState.SHUTOFF]: ['unknown', 'shutdown', 'destroyed', 'crashed', 'migrated', 'saved', 'failed',
    'from snapshot', 'daemon'],
  [DomainState.CRASHED]: ['unknown', 'panicked'],
  [DomainState.PMSUSPENDED]: ['unknown'],
};

/** The reason text virsh prints with `domstate --reason`. */
export function domainReasonText(state: number, reason: number): string {
  return REASON_TEXT[state]?.[reason] ?? 'unknown';
}

/** virDomainEventType, indexed by code. */
export const LIFECYCLE_EVENTS = ['defined', 'undefined', 'started', 'suspended', 'resumed', 'stopped',
  'shutdown', 'pmsuspended', 'crashed'] as const;

const LIFECYCLE_DETAILS: readonly (readonly string[])[] = [
  ['added', 'updated', 'renamed', 'from-snapshot'],
  ['removed', 'renamed'],
  ['booted', 'migrated', 'restored', 'from-snapshot', 'wakeup'],
  ['paused', 'migrated', 'ioerror', 'watchdog', 'restored', 'from-snapshot', 'api-error', 'postcopy',
    'postcopy-failed'],
  ['unpaused', 'migrated', 'from-snapshot', 'postcopy', 'postcopy-failed'],
  ['shutdown', 'destroyed', 'crashed', 'migrated', 'saved', 'failed', 'from-snapshot'],
  ['finished', 'guest', 'host'],
  ['memory', 'disk'],
  ['panicked', 'crashloaded'],
];

/** A lifecycle event's name ("started"), or "unknown-N". */
export function lifecycleEventName(event: number): string {
  return LIFECYCLE_EVENTS[event] ?? `unknown-${event}`;
}

/** A lifecycle event detail's name ("booted"), or "unknown-N". */
export function lifecycleDetailName(event: number, detail: number): string {
  return LIFECYCLE_DETAILS[event]?.[detail] ?? `unknown-${detail}`;
}

/** virDomainEventID values the client subscribes to. */
export const EventId = { LIFECYCLE: 0, REBOOT: 1, AGENT_LIFECYCLE: 18 } as const;

/** virConnectDomainEventAgentLifecycleState. */
export const AgentState = { CONNECTED: 1, DISCONNECTED: 2 } as const;

/** virDomainUndefineFlagsValues. */
export const UndefineFlags = {
  MANAGED_SAVE: 1,
  SNAPSHOTS_METADATA: 2,
  NVRAM: 4,
  KEEP_NVRAM: 8,
  CHECKPOINTS_METADATA: 16,
  TPM: 32,
  KEEP_TPM: 64,
} as const;

/** The undefine flags that let a domain with managed save, snapshots, checkpoints or NVRAM go. */
export const UNDEFINE_EVERYTHING = UndefineFlags.MANAGED_SAVE | UndefineFlags.SNAPSHOTS_METADATA
  | UndefineFlags.NVRAM | UndefineFlags.CHECKPOINTS_METADATA;

/** virDomainShutdownFlagValues (also used by reboot). */
export const ShutdownFlags = { DEFAULT: 0, ACPI_POWER_BTN: 1, GUEST_AGENT: 2, INITCTL: 4, SIGNAL: 8, PARAVIRT: 16 } as const;

/** virDomainInterfaceAddressesSource: where DOMAIN_INTERFACE_ADDRESSES looks. */
export const InterfaceAddressSource = { LEASE: 0, AGENT: 1, ARP: 2 } as const;

/** virDomainDestroyFlagsValues. */
export const DestroyFlags = { DEFAULT: 0, GRACEFUL: 1, REMOVE_LOGS: 2 } as const;

/** virDomainXMLFlags. */
export const XmlFlags = { SECURE: 1, INACTIVE: 2, UPDATE_CPU: 4, MIGRATABLE: 8 } as const;

/** virDomainMigrateFlags. */
export const MigrateFlags = {
  LIVE: 1,
  PEER2PEER: 2,
  TUNNELLED: 4,
  PERSIST_DEST: 8,
  UNDEFINE_SOURCE: 16,
  PAUSED: 32,
  NON_SHARED_DISK: 64,
  NON_SHARED_INC: 128,
  CHANGE_PROTECTION: 256,
  UNSAFE: 512,
  OFFLINE: 1024,
  COMPRESSED: 2048,
  ABORT_ON_ERROR: 4096,
  AUTO_CONVERGE: 8192,
  POSTCOPY: 32768,
  TLS: 65536,
} as const;

/** virDomainJobType, indexed by code. */
export const JOB_TYPES = ['none', 'bounded', 'unbounded', 'completed', 'failed', 'cancelled'] as const;

/** virNetworkUpdateCommand. */
export const NetworkUpdateCommand = { NONE: 0, MODIFY: 1, DELETE: 2, ADD_LAST: 3, ADD_FIRST: 4 } as const;
/** virNetworkUpdateSection. */
export const NetworkUpdateSection = { IP_DHCP_HOST: 4, IP_DHCP_RANGE: 5, DNS_HOST: 10 } as const;
/** virNetworkUpdateFlags. */
export const NetworkUpdateFlags = { CURRENT: 0, LIVE: 1, CONFIG: 2 } as const;

/** virConnectGetAllDomainStats stats groups. */
export const StatsGroup = { STATE: 1, CPU_TOTAL: 2, BALLOON: 4, VCPU: 8, INTERFACE: 16, BLOCK: 32 } as const;

/** virConnectListAllDomainsFlags (also the domain filter of GetAllDomainStats). */
export const ListFlags = {
  ACTIVE: 1, INACTIVE: 2, PERSISTENT: 4, TRANSIENT: 8, RUNNING: 16, PAUSED: 32, SHUTOFF: 64, OTHER: 128,
  MANAGEDSAVE: 256, NO_MANAGEDSAVE: 512, AUTOSTART: 1024, NO_AUTOSTART: 2048,
} as const;

/** Features asked with CONNECT_SUPPORTS_FEATURE (libvirt_internal.h). */
export const Feature = {
  MIGRATION_P2P: 4,
  MIGRATION_V3: 6,
  TYPED_PARAM_STRING: 9,
  PROGRAM_KEEPALIVE: 10,
  MIGRATION_PARAMS: 13,
  REMOTE_EVENT_CALLBACK: 14,
  REMOTE_CLOSE_CALLBACK: 15,
  NETWORK_UPDATE_HAS_CORRECT_ORDER: 16,
} as const;

/** remote_auth_type. */
export const AuthType = { NONE: 0, SASL: 1, POLKIT: 2 } as const;

/** virDomainSnapshotCreateFlags. */
export const SnapshotCreateFlags = { REDEFINE: 1, CURRENT: 2, NO_METADATA: 4, HALT: 8, DISK_ONLY: 16, REUSE_EXT: 32, QUIESCE: 64, ATOMIC: 128, LIVE: 256, VALIDATE: 512 } as const;

/** virDomainSnapshotDeleteFlags. */
export const SnapshotDeleteFlags = { CHILDREN: 1, METADATA_ONLY: 2, CHILDREN_ONLY: 4 } as const;

/** virDomainSnapshotRevertFlags. */
export const SnapshotRevertFlags = { RUNNING: 1, PAUSED: 2, FORCE: 4, RESET_NVRAM: 8 } as const;

/** virDomainSnapshotListFlags (TOPOLOGICAL: parents before their children). */
export const SnapshotListFlags = { ROOTS: 1, METADATA: 2, LEAVES: 4, NO_LEAVES: 8, NO_METADATA: 16, INACTIVE: 32, ACTIVE: 64, DISK_ONLY: 128, INTERNAL: 256, EXTERNAL: 512, TOPOLOGICAL: 1024 } as const;
