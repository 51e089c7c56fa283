/**
 * The agent's Prometheus metrics on a registry of its own (built in main, never prom-client's global
 * default): HTTP requests, actions, libvirt connection and calls, domains by state, host load and
 * memory, and Node's process metrics. Recording is push (observe*); domains and host figures are
 * read at scrape time (see gauges.ts).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ConnectionState } from '../libvirt/index.ts';
import { registerScrapeGauges, type ScrapeSources } from './gauges.ts';
import { registerDomainMetrics } from './domain-metrics.ts';
import type { DomainView } from '../model/domain-view.ts';
import { SeriesCounter, SeriesHistogram } from './series.ts';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);
const CONNECTION_STATES: readonly ConnectionState[] = ['connecting', 'connected', 'reconnecting', 'closed'];
const HTTP_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const ACTION_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
const CALL_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30];

/** What the metrics read at scrape time, plus the build's version. */
export interface MetricsOptions extends ScrapeSources {
  version: string;
  /** The libvirt connection state right now. */
  libvirtState(): ConnectionState;
  /** Actions running right now. */
  actionsInFlight(): number;
  /** When the newest successful inventory snapshot was taken (epoch ms), or null. */
  lastSnapshotAt?(): number | null;
  /** The disk guard's reading of the database's filesystem. */
  disk?(): { freeBytes: number; low: string | null };
  /** Every domain as the inventory view has it: the per-domain metrics (absent: none). */
  domainViews?(): readonly DomainView[];
}

/** One place that records and renders every metric of one agent. */
export class AgentMetrics {
  readonly registry = new Registry();
  // Recorded on every request, action and libvirt call: the cheap series of series.ts.
  readonly #requests: SeriesCounter;
  readonly #requestSeconds: SeriesHistogram;
  readonly #actions: SeriesCounter;
  readonly #actionSeconds: SeriesHistogram;
  readonly #calls: SeriesHistogram;
  readonly #stateChanges: Counter<'state'>;
  readonly #snapshots: Counter<'outcome'>;
  readonly #snapshotSeconds: Histogram;
  readonly #knownActions: ReadonlySet<string>;
  readonly #authRefusals: Counter<'outcome'>;

  constructor(options: MetricsOptions, knownActions: Iterable<string>) {
    const registers = [this.registry];
    this.#knownActions = new Set(knownActions);
    new Gauge({ name: 'govirthost_build_info', help: 'Always 1; the labels say which build runs', labelNames: ['version', 'node'], registers })
      .set({ version: options.version, node: process.versions.node }, 1);
    this.#requests = new SeriesCounter(this.registry, 'govirthost_http_requests_total', 'HTTP requests answered, by route pattern, method and status', ['route', 'method', 'status']);
    this.#requestSeconds = new SeriesHistogram(this.registry, 'govirthost_http_request_duration_seconds', 'Time to answer an HTTP request', ['route', 'method'], HTTP_BUCKETS);
    this.#actions = new SeriesCounter(this.registry, 'govirthost_actions_total', 'Actions dispatched (reads and mutations), by action and outcome', ['action', 'outcome']);
    this.#actionSeconds = new SeriesHistogram(this.registry, 'govirthost_action_duration_seconds', 'Time an action took, from receipt to its end', ['action'], ACTION_BUCKETS);
    new Gauge({ name: 'govirthost_actions_in_flight', help: 'Actions running now', registers, collect() { this.set(options.actionsInFlight()); } });
    this.#calls = new SeriesHistogram(this.registry, 'govirthost_libvirt_call_duration_seconds', 'libvirt RPC call latency, by procedure and outcome (ok, error)', ['procedure', 'outcome'], CALL_BUCKETS);
    this.#stateChanges = new Counter({ name: 'govirthost_libvirt_state_changes_total', help: 'libvirt connection state changes, by the state entered', labelNames: ['state'], registers });
    this.#snapshots = new Counter({ name: 'govirthost_snapshots_total', help: 'Inventory snapshot runs, by outcome (ok, failed)', labelNames: ['outcome'], registers });
    this.#snapshotSeconds = new Histogram({ name: 'govirthost_snapshot_duration_seconds', help: 'Time a successful inventory snapshot took', buckets: ACTION_BUCKETS, registers });
    const lastSnapshotAt = options.lastSnapshotAt;
    if (lastSnapshotAt) {
      new Gauge({
        name: 'govirthost_snapshot_last_success_timestamp_seconds', help: 'When the newest successful inventory snapshot was taken (Unix seconds)', registers,
        collect() { const at = lastSnapshotAt(); if (at === null) this.reset(); else this.set(at / 1000); },
      });
    }
    this.#authRefusals = new Counter({
      name: 'govirthost_auth_refusals_total', labelNames: ['outcome'], registers,
      help: 'Requests without a valid token: refused (401, recorded as a fixed-size row) or rate_limited (429, not recorded)',
    });
    for (const outcome of ['refused', 'rate_limited']) this.#authRefusals.inc({ outcome }, 0);
    const disk = options.disk;
    if (disk) registerDiskGauges(this.registry, disk);
    registerLibvirtState(this.registry, options.libvirtState);
    registerScrapeGauges(this.registry, options);
    if (options.domainViews) registerDomainMetrics(this.registry, options.domainViews);
    collectDefaultMetrics({ register: this.registry });
  }

  /** Records one answered HTTP request; `route` is the matched pattern (or http/record.ts's UNMATCHED_ROUTE). */
  observeRequest(route: string, method: string, status: number, seconds: number): void {
    const m = METHODS.has(method) ? method : 'OTHER';
    this.#requests.inc([route, m, String(status)]);
    this.#requestSeconds.observe([route, m], seconds);
  }

  /** Records one dispatched action; names the registry does not know count as `unknown`. */
  observeAction(action: string, outcome: string, seconds: number): void {
    const name = this.#knownActions.has(action) ? action : 'unknown';
    this.#actions.inc([name, outcome]);
    this.#actionSeconds.observe([name], seconds);
  }

  /** Records one libvirt call (the client's onCall hook). */
  observeLibvirtCall(procedure: string, ok: boolean, seconds: number): void {
    this.#calls.observe([procedure, ok ? 'ok' : 'error'], seconds);
  }

  /** Records one request without a valid token: answered 401 (`refused`) or 429 (`rate_limited`). */
  observeAuthRefusal(outcome: 'refused' | 'rate_limited'): void {
    this.#authRefusals.inc({ outcome });
  }

  /** Records a libvirt connection state change (the client's onStateChange). */
  observeLibvirtState(state: ConnectionState): void {
    this.#stateChanges.inc({ state });
  }

  /** Records one inventory snapshot run (the snapshot job's onRun). */
  observeSnapshot(outcome: { ok: boolean; durationMs?: number }): void {
    this.#snapshots.inc({ outcome: outcome.ok ? 'ok' : 'failed' });
    if (outcome.ok && outcome.durationMs !== undefined) this.#snapshotSeconds.observe(outcome.durationMs / 1000);
  }

  /** The Content-Type of scrape(). */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Every metric in Prometheus' text format. */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }
}

function registerDiskGauges(registry: Registry, disk: NonNullable<MetricsOptions['disk']>): void {
  new Gauge({ name: 'govirthost_disk_free_bytes', help: 'Free bytes on the filesystem of the database', registers: [registry], collect() { this.set(disk().freeBytes); } });
  new Gauge({
    name: 'govirthost_disk_low', help: '1 while mutations are refused because the filesystem of the database is nearly full, else 0', registers: [registry],
    collect() { this.set(disk().low === null ? 0 : 1); },
  });
}

function registerLibvirtState(registry: Registry, state: () => ConnectionState): void {
  new Gauge({ name: 'govirthost_libvirt_up', help: '1 when the libvirt connection is up, else 0', registers: [registry], collect() { this.set(state() === 'connected' ? 1 : 0); } });
  new Gauge({
    name: 'govirthost_libvirt_connection_state', help: '1 for the libvirt connection state now, 0 for the others', labelNames: ['state'], registers: [registry],
    collect() {
      const now = state();
      for (const s of CONNECTION_STATES) this.set({ state: s }, s === now ? 1 : 0);
    },
  });
}
