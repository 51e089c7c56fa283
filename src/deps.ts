/**
 * Everything a handler may use, built once in main.ts (or by a test) and passed in: no handler
 * imports a singleton.
 */
import type { Logger } from 'pino';
import type { FinishedAudit } from './model/audit.ts';
import type { DomainLocks } from './model/locks.ts';
import type { EventFeed } from './events/feed.ts';
import type { DomainEventHub } from './events/hub.ts';
import type { Listeners } from './events/listeners.ts';
import type { HostSysinfo } from './host/sysinfo.ts';
import type { Inventory } from './inventory/index.ts';
import type { Libvirt } from './libvirt/index.ts';
import type { AuditStore, DefinitionStore } from './store/types.ts';
import type { TokenVerifier } from './auth/tokens.ts';
import type { FailedAuthLimiter } from './auth/failed-auth.ts';
import type { DiskGuard } from './store/disk-guard.ts';
import type { SqliteIdempotencyStore } from './store/idempotency.ts';
import type { InFlight } from './model/in-flight.ts';
import type { VendorAssets } from './model/vendor-assets.ts';
import type { AddressWatch } from './guest/address-watch.ts';
import type { Operations } from './operations/tracker.ts';

/** Wall-clock time, injectable for tests. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** Settings handlers and middleware read. */
export interface Settings {
  auditReads: boolean;
  /** Keep what is typed into console sessions in their audit records (absent: no). */
  consoleRecordInput?: boolean;
  bodyLimitBytes: number;
  requestTimeoutMs: number;
  migrateUriTemplate: string;
  /** Callers may give a full libvirt URI as a migration target (dangerous; off by default). */
  allowUriTargets: boolean;
  /** Storage pool holding the base images that create-from-form overlays. */
  storagePool: string;
  /** libvirt network that create-from-form guests join (and get DHCP entries on). */
  network: string;
  /** How long the migration pre-check waits to open a connection to the destination. */
  migrateCheckTimeoutMs: number;
  /** A default (fresh) read slower than this is answered from the inventory view instead. */
  readTimeoutMs: number;
}

/** The dependencies of the app, its handlers and its jobs. */
export interface Deps {
  libvirt: Libvirt;
  events: DomainEventHub;
  audit: AuditStore;
  definitions: DefinitionStore;
  host: { sysinfo(): Promise<HostSysinfo> };
  tokens: TokenVerifier | null;
  /** Rate limits refusals of callers without a valid token (absent: no limit). */
  authLimiter?: FailedAuthLimiter;
  /** Refuses mutations while the database's filesystem is nearly full (absent: no guard). */
  disk?: DiskGuard;
  /** Idempotency keys of mutations (absent: Idempotency-Key is ignored). */
  idempotency?: SqliteIdempotencyStore;
  locks: DomainLocks;
  /** Guests' addresses, and waits for the first IPv4 one (absent: read directly, waits back off). */
  addresses?: AddressWatch;
  /** The dashboard's third-party files (the console's terminal); absent: the console page has no terminal. */
  vendor?: VendorAssets;
  clock: Clock;
  log: Logger;
  settings: Settings;
  /** Readiness checks, metrics, running actions and the stop flag (main.ts builds them; most tests leave them out). */
  ops?: Ops;
  /** The in-memory view of the host and the stores of its history. */
  inventory: Inventory;
  /** Domain events and finished audit records for GET /v1/events. */
  feed: EventFeed;
  /** The running operations (audited mutations): cancel, progress, waiting for an end. */
  operations: Operations;
  /** Called by the dispatcher each time it completes an audit record. */
  auditFinished: Listeners<FinishedAudit>;
}

/** What one readiness check found. */
export interface CheckResult {
  ok: boolean;
  detail: string;
}

/** One named readiness check; `run` may be async and is bounded by the caller's time limit. */
export interface ReadinessCheck {
  name: string;
  run(): CheckResult | Promise<CheckResult>;
}

/** What the agent records in its metrics, and their text for /metrics (ops/metrics.ts implements it). */
export interface MetricsRecorder {
  observeRequest(route: string, method: string, status: number, seconds: number): void;
  observeAction(action: string, outcome: string, seconds: number): void;
  observeAuthRefusal(outcome: 'refused' | 'rate_limited'): void;
  observeLibvirtCall(procedure: string, ok: boolean, seconds: number): void;
  observeSnapshot(outcome: { ok: boolean; durationMs?: number }): void;
  readonly contentType: string;
  scrape(): Promise<string>;
}

/** What operating the agent adds: readiness checks, metrics, running actions, the stop flag. Built in main.ts; tests that need none of it leave `deps.ops` out. */
export interface Ops {
  /** /readyz runs these; later features add theirs (a snapshot age bound, say) to this list. */
  readiness: ReadinessCheck[];
  /** null: no /metrics (it answers 404). */
  metrics: MetricsRecorder | null;
  inFlight: InFlight;
  /** True once shutdown has begun: new requests get 503 SHUTTING_DOWN. */
  stopping(): boolean;
}
