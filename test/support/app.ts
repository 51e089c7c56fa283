/**
 * Builds the real app over real dependencies for HTTP tests: a libvirt client on a private host,
 * an in-memory SQLite database with every migration, and optional tokens.
 */
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { pino, type Logger } from 'pino';
import { ACTIONS } from '../../src/actions/registry.ts';
import { buildOps } from '../../src/ops/build.ts';
import { DomainLocks } from '../../src/model/locks.ts';
import { createApp } from '../../src/app.ts';
import { TokenVerifier, createToken, loadTokens, type Role } from '../../src/auth/tokens.ts';
import type { Deps, Settings } from '../../src/deps.ts';
import { Operations } from '../../src/operations/tracker.ts';
import { EventFeed } from '../../src/events/feed.ts';
import { DomainEventHub } from '../../src/events/hub.ts';
import { Listeners } from '../../src/events/listeners.ts';
import { readSysinfo } from '../../src/host/sysinfo.ts';
import { createInventory } from '../../src/inventory/index.ts';
import { startBackground, type Background, type BackgroundOptions } from '../../src/jobs/background.ts';
import { Libvirt, LibvirtClient } from '../../src/libvirt/index.ts';
import { SqliteAuditStore } from '../../src/store/audit.ts';
import { openDatabase } from '../../src/store/db.ts';
import { SqliteDefinitionStore } from '../../src/store/definitions.ts';
import { upgradeSchema } from '../../src/store/schema.ts';
import type { FailedAuthLimiter } from '../../src/auth/failed-auth.ts';
import type { DiskGuard } from '../../src/store/disk-guard.ts';
import { SqliteIdempotencyStore } from '../../src/store/idempotency.ts';
import { hostEnv } from './hosts.ts';
import { readVendorAssets } from '../../src/ui/vendor.ts';
import { AddressWatch } from '../../src/guest/address-watch.ts';

/** A running test app and what it was built from. */
export interface TestApp {
  app: ReturnType<typeof createApp>;
  deps: Deps;
  /** Bearer tokens by role, when built with tokens. */
  tokens: Partial<Record<Role, string>>;
  /** libvirt calls answered so far (the client's onCall hook). */
  libvirtCalls(): number;
  /** The inventory view, jobs and event feed, when built with `background`. */
  background: Background | null;
  close(): Promise<void>;
}

/** Options for buildTestApp. */
export interface TestAppOptions {
  /** Env var naming the libvirt URI (default GVH_A_TEST_URI). */
  uriVar?: string;
  withTokens?: boolean;
  settings?: Partial<Settings>;
  /** Also build deps.ops (readiness, metrics, running actions) as main.ts does; `stopping` defaults to never. */
  withOps?: { stopping?: () => boolean };
  /** Where log lines go (default: nowhere). */
  log?: Logger;
  /** Starts the inventory (view, snapshot and retention jobs, event feed) with these options. */
  background?: BackgroundOptions;
  /** A database file instead of :memory: (for tests that reopen it). */
  dbPath?: string;
  /** The failed-auth rate limiter and the disk guard, as main.ts wires them (absent: none). */
  authLimiter?: FailedAuthLimiter;
  disk?: DiskGuard;
  /** The action time limit (default 1 h) and how often operations publish progress (default 1 s). */
  maxActionMs?: number;
  progressIntervalMs?: number;
}

/** Background options for tests: a snapshot every second, retention as in production. */
export const TEST_BACKGROUND: BackgroundOptions = {
  snapshots: { schedule: '* * * * * *', debounceMs: 200, maxDelayMs: 1000 },
  retention: { snapshotRetentionMs: 14 * 86_400_000, auditRetentionMs: null },
};

/** Builds deps and the app; connects libvirt and subscribes to events first. */
export async function buildTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  let observeCall: ((procedure: string, ok: boolean, seconds: number) => void) | null = null;
  let calls = 0;
  const client = new LibvirtClient(hostEnv(opts.uriVar ?? 'GVH_A_TEST_URI'), {
    callTimeoutMs: 10_000, onCall: (procedure, ok, seconds) => { calls++; observeCall?.(procedure, ok, seconds); },
  });
  await client.connect();
  const libvirt = new Libvirt(client);
  const hostname = (await libvirt.connectionInfo()).hostname;
  if (!hostname.startsWith('gvh-')) throw new Error(`refusing to test against '${hostname}'`);
  const events = new DomainEventHub(libvirt);
  await events.start();
  const db = openDatabase(opts.dbPath ?? ':memory:');
  upgradeSchema(db);
  const { verifier, tokens } = opts.withTokens ? makeTokens() : { verifier: null, tokens: {} };
  const audit = new SqliteAuditStore(db);
  const feed = new EventFeed();
  const deps: Deps = {
    libvirt, events, tokens: verifier,
    audit,
    operations: new Operations({ audit, feed, now: () => Date.now(), maxActionMs: opts.maxActionMs ?? 3_600_000, progressIntervalMs: opts.progressIntervalMs }),
    definitions: new SqliteDefinitionStore(db),
    host: { sysinfo: () => readSysinfo() },
    locks: new DomainLocks(),
    vendor: readVendorAssets(),
    addresses: new AddressWatch({ libvirt, events, now: () => Date.now(), leaseDir: leaseDirOf(opts.uriVar ?? 'GVH_A_TEST_URI') }),
    clock: { now: () => Date.now() },
    log: opts.log ?? pino({ level: 'silent' }),
    settings: {
      auditReads: false, bodyLimitBytes: 1_048_576, requestTimeoutMs: 30_000, migrateUriTemplate: 'qemu+tcp://{target}/system', allowUriTargets: false,
      storagePool: 'default', network: 'default', migrateCheckTimeoutMs: 5_000, readTimeoutMs: 2_000, ...opts.settings,
    },
    inventory: createInventory(db),
    feed,
    auditFinished: new Listeners(),
    ...(opts.authLimiter && { authLimiter: opts.authLimiter }),
    ...(opts.disk && { disk: opts.disk }),
    idempotency: new SqliteIdempotencyStore(db),
  };
  if (opts.withOps) {
    deps.ops = buildOps({
      version: 'test', libvirt, db, sysinfo: deps.host.sysinfo, actionNames: ACTIONS.map((a) => a.name), stopping: opts.withOps.stopping ?? (() => false),
      // With the inventory running, as main.ts builds it: domains come from its view at scrape time.
      ...(opts.background && { inventory: { view: deps.inventory.view, maxAgeMs: 300_000, now: () => Date.now() } }),
      ...(opts.disk && { disk: opts.disk }),
    });
    observeCall = (procedure, ok, seconds) => deps.ops?.metrics?.observeLibvirtCall(procedure, ok, seconds);
  }
  const background = opts.background ? startBackground(deps, opts.background) : null;
  deps.addresses!.start();
  const close = async () => {
    deps.addresses!.stop();
    await background?.stop();
    await client.close();
    db.close();
  };
  return { app: createApp(deps), deps, tokens, background, close, libvirtCalls: () => calls };
}

function makeTokens(): { verifier: TokenVerifier; tokens: Record<Role, string> } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gvh-tokens-'));
  const file = path.join(dir, 'tokens.json');
  const tokens = {
    viewer: createToken(file, 'test-viewer', 'viewer'),
    operator: createToken(file, 'test-operator', 'operator'),
    admin: createToken(file, 'test-admin', 'admin'),
  };
  const verifier = new TokenVerifier(loadTokens(file));
  fs.rmSync(dir, { recursive: true, force: true });
  return { verifier, tokens };
}

/** The dnsmasq lease directory of the test host behind `uriVar` (its /var/lib/libvirt/dnsmasq), seen from outside. */
function leaseDirOf(uriVar: string): string | null {
  const host = /^GVH_([AB])_/.exec(uriVar)?.[1]?.toLowerCase();
  const dir = process.env.GVH_DIR;
  return host && dir ? path.join(dir, host, 'lib', 'dnsmasq') : null;
}
