/**
 * The composition root: reads the config, opens the database and applies migrations, connects to
 * libvirt, builds the app and serves it; on SIGTERM (or SIGINT) shuts all of it down gracefully.
 */
import { hostname } from 'node:os';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerType } from '@hono/node-server';
import { pino, type Logger } from 'pino';
import { DomainLocks } from './model/locks.ts';
import { ACTIONS } from './actions/registry.ts';
import { createApp } from './app.ts';
import { runTokenCli } from './auth/cli.ts';
import { CLIENT_COMMANDS, runClient } from './cli/index.ts';
import { processIo } from './cli/io.ts';
import { TokenVerifier, loadTokens } from './auth/tokens.ts';
import { DEFAULT_FAILED_AUTH_LIMITS, FailedAuthLimiter } from './auth/failed-auth.ts';
import { BUNDLE } from './bundled.ts';
import { ConfigError, helpText, parseConfig, type Config } from './config/index.ts';
import type { Deps } from './deps.ts';
import { Operations } from './operations/tracker.ts';
import { EventFeed } from './events/feed.ts';
import { DomainEventHub } from './events/hub.ts';
import { Listeners } from './events/listeners.ts';
import { cachedReader } from './host/cache.ts';
import { readSysinfo } from './host/sysinfo.ts';
import { createInventory } from './inventory/index.ts';
import { startBackground, type Background } from './jobs/background.ts';
import { Libvirt, LibvirtClient } from './libvirt/index.ts';
import { createAppServer } from './http/server.ts';
import { buildOps } from './ops/build.ts';
import { gracefulShutdown } from './ops/shutdown.ts';
import { readVendorAssets } from './ui/vendor.ts';
import { AuditExport } from './jobs/audit-export.ts';
import { AddressWatch } from './guest/address-watch.ts';
import { otlpAuditSink, type OtlpSink } from './jobs/otlp.ts';
import { auditLine } from './model/audit-line.ts';
import { SqliteAuditStore } from './store/audit.ts';
import { closeDatabase, openDatabase, type Database } from './store/db.ts';
import { SqliteDefinitionStore } from './store/definitions.ts';
import { DiskGuard } from './store/disk-guard.ts';
import { SqliteIdempotencyStore } from './store/idempotency.ts';
import { applyMigrations, upgradeSchema } from './store/schema.ts';

/** Runs the agent (or the `token` subcommand, or the client's commands); resolves with an exit code when it should exit at once. */
export async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number | null> {
  if (argv[0] === 'token') return runTokenCli(argv.slice(1));
  if (argv[0] !== undefined && (CLIENT_COMMANDS.has(argv[0]) || !argv[0].startsWith('-'))) return runClient(argv, processIo());
  if (argv[0] === 'version' || argv[0] === '--version') {
    process.stdout.write(`govirthost ${agentVersion()} (node ${process.versions.node})\n`);
    return 0;
  }
  let config: Config;
  try {
    config = parseConfig(argv, env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`govirthost: ${err.message}\n`);
    return 2;
  }
  if (config.help) {
    process.stdout.write(helpText());
    return 0;
  }
  const log = pino({ level: config.logLevel, base: { service: 'govirthost' } });
  const tokens = config.tokensFile ? new TokenVerifier(loadTokens(config.tokensFile)) : null;
  const db = openDatabase(config.db, BUNDLE ? { nativeBinding: fileURLToPath(new URL(BUNDLE.nativeBinding, import.meta.url)) } : {});
  const { from, to } = BUNDLE ? applyMigrations(db, BUNDLE.migrations) : upgradeSchema(db);
  const lifecycle = { stopping: false };
  const deps = buildDeps(config, db, tokens, log, () => lifecycle.stopping);
  const exporters = startAuditExport(config, deps);
  deps.addresses?.start();
  const interrupted = deps.audit.markInterrupted(deps.clock.now());
  log.info({ version: agentVersion(), db: config.db, schemaFrom: from, schemaTo: to, interrupted }, 'database ready');
  const background = startBackground(deps, {
    snapshots: { schedule: config.snapshotSchedule, onRun: (outcome) => deps.ops?.metrics?.observeSnapshot(outcome) },
    retention: { snapshotRetentionMs: config.snapshotRetentionMs, auditRetentionMs: config.auditRetentionMs },
  });
  connectLibvirt(deps, log);
  const server = listen(config, deps, log);
  onStopSignal(log, () => {
    lifecycle.stopping = true;
    return shutdown(server, deps, db, config, background, exporters);
  }, () => {
    if (db.open) deps.audit.markInterrupted(deps.clock.now(), 'the agent was stopped by a second signal before the action ended');
  });
  return null;
}

/** The agent's version: the bundle's, or package.json's when run from source ('unknown' in other builds). */
function agentVersion(): string {
  if (BUNDLE) return BUNDLE.version;
  try {
    return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function buildDeps(config: Config, db: Database, tokens: TokenVerifier | null, log: Logger, stopping: () => boolean): Deps {
  let observeCall: ((procedure: string, ok: boolean, seconds: number) => void) | null = null;
  const client = new LibvirtClient(config.libvirtUri, {
    callTimeoutMs: config.libvirtTimeoutMs,
    onCall: (procedure, ok, seconds) => observeCall?.(procedure, ok, seconds),
  });
  const libvirt = new Libvirt(client);
  const clock = { now: () => Date.now() };
  const sysinfo = cachedReader(() => readSysinfo(), clock.now);
  const inventory = createInventory(db);
  const disk = new DiskGuard(dirname(config.db), { minFreeBytes: config.minFreeDiskBytes, minFreePercent: config.minFreeDiskPercent });
  const ops = buildOps({
    disk,
    version: agentVersion(), libvirt, db, sysinfo, actionNames: ACTIONS.map((a) => a.name), stopping,
    inventory: { view: inventory.view, maxAgeMs: config.snapshotMaxAgeMs, now: clock.now },
  });
  observeCall = (procedure, ok, seconds) => ops.metrics?.observeLibvirtCall(procedure, ok, seconds);
  const audit = new SqliteAuditStore(db, { documentsCapBytes: config.auditDocumentsCapBytes });
  const feed = new EventFeed();
  const events = new DomainEventHub(libvirt);
  return {
    libvirt,
    events,
    audit,
    operations: new Operations({ audit, feed, now: clock.now, maxActionMs: config.maxActionMs }),
    definitions: new SqliteDefinitionStore(db),
    host: { sysinfo },
    tokens,
    authLimiter: new FailedAuthLimiter({ ...DEFAULT_FAILED_AUTH_LIMITS, perPeer: { burst: 20, perMinute: config.authFailuresPerMinute } }),
    disk,
    idempotency: new SqliteIdempotencyStore(db),
    locks: new DomainLocks(),
    vendor: BUNDLE ? BUNDLE.vendor : readVendorAssets(),
    addresses: new AddressWatch({ libvirt, events, now: clock.now, leaseDir: config.leaseDir }),
    clock,
    log,
    settings: {
      auditReads: config.auditReads,
      consoleRecordInput: config.consoleRecordInput,
      bodyLimitBytes: config.bodyLimitBytes,
      requestTimeoutMs: config.requestTimeoutMs,
      migrateUriTemplate: config.migrateUriTemplate,
      allowUriTargets: config.allowUriTargets,
      storagePool: config.storagePool,
      network: config.network,
      migrateCheckTimeoutMs: config.migrateCheckTimeoutMs,
      readTimeoutMs: config.readTimeoutMs,
    },
    ops,
    inventory,
    feed,
    auditFinished: new Listeners(),
  };
}

/** Connects in the background (retrying forever); subscribes to events on the first connection. */
function connectLibvirt(deps: Deps, log: Logger): void {
  const libvirt = deps.libvirt;
  let subscribed = false;
  libvirt.onStateChange((state, reason) => {
    log.info({ libvirt: libvirt.uri, state, reason: reason?.message }, 'libvirt connection');
    if (state !== 'connected' || subscribed) return;
    subscribed = true; // the client re-registers these itself after every reconnect
    deps.events.start().catch((err: Error) => {
      subscribed = false;
      log.error({ err }, 'event subscription failed');
    });
  });
  libvirt.keepConnected();
}

function listen(config: Config, deps: Deps, log: Logger): ServerType {
  const app = createApp(deps);
  const tls = config.tls ? { cert: readFileSync(config.tls.cert), key: readFileSync(config.tls.key) } : null;
  const server = createAppServer({ fetch: app.fetch, tls, ...(config.listen.host !== undefined && { hostname: config.listen.host }) });
  server.listen(config.listen.port, config.listen.host, () => {
    const info = server.address() as AddressInfo;
    log.info({ address: info.address, port: info.port, tls: tls !== null }, 'listening');
  });
  return server;
}

/**
 * SIGTERM or SIGINT starts the shutdown and exits 0 when it is done; a second signal closes what is
 * still pending (`force`) and exits 1 at once.
 */
function onStopSignal(log: Logger, stop: () => Promise<void>, force: () => void): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now');
      force();
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'shutting down');
    stop().then(() => process.exit(0), (err: unknown) => {
      log.error({ err }, 'shutdown failed');
      process.exit(1);
    });
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}

/** The audit exporters: lines on stdout (unless --audit-lines off), OTLP logs when configured. */
interface Exporters { stop(): Promise<void> }

function startAuditExport(config: Config, deps: Deps): Exporters {
  const origin = { host: hostname(), agentVersion: agentVersion() };
  const onError = (err: unknown) => deps.log.error({ err }, 'audit export failed');
  const exports: AuditExport[] = [];
  let otlp: OtlpSink | null = null;
  if (config.auditLines === 'stdout') {
    exports.push(new AuditExport({ audit: deps.audit, cursor: 'lines', send: (r) => process.stdout.write(`${auditLine(r, origin)}\n`), onError }));
  }
  if (config.otlpLogsEndpoint !== undefined) {
    const sink = otlpAuditSink({ endpoint: config.otlpLogsEndpoint, ...origin });
    otlp = sink;
    exports.push(new AuditExport({ audit: deps.audit, cursor: 'otlp', send: (r) => sink.send(r), onError }));
  }
  for (const e of exports) e.start();
  deps.auditFinished.add(() => { for (const e of exports) e.poke(); });
  return {
    async stop() {
      for (const e of exports) e.stop();
      await otlp?.close().catch(onError);
    },
  };
}

function shutdown(server: ServerType, deps: Deps, db: Database, config: Config, background: Background, exporters: Exporters): Promise<void> {
  const ops = deps.ops;
  if (!ops) throw new Error('the agent is built with ops');
  const jobs = background.stop(); // ends the event streams first, so that the server can close
  deps.operations.endSessions('the agent is shutting down'); // consoles would hold it to the deadline
  deps.addresses?.stop();
  return gracefulShutdown({
    server,
    inFlight: ops.inFlight,
    audit: deps.audit,
    closeLibvirt: async () => {
      await jobs;
      await deps.libvirt.close();
      await exporters.stop(); // the last records, before the database goes
    },
    closeDatabase: () => closeDatabase(db),
    now: deps.clock.now,
    log: deps.log,
    deadlineMs: config.shutdownTimeoutMs,
  }).then(() => undefined);
}

const code = await main(process.argv.slice(2), process.env);
if (code !== null) {
  // A command is done: exit once its output is written, whatever handle (a stdin pipe, a kept-alive socket) is left open.
  process.exitCode = code;
  process.stderr.write('', () => process.stdout.write('', () => process.exit(code)));
}
