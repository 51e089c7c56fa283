/**
 * The composition root: reads the config, opens the database and applies migrations, connects to
 * libvirt, builds the app and serves it; shuts all of it down on SIGTERM.
 */
import { createServer as createHttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import { serve, type ServerType } from '@hono/node-server';
import { pino, type Logger } from 'pino';
import { DomainLocks } from './actions/locks.ts';
import { createApp } from './app.ts';
import { runTokenCli } from './auth/cli.ts';
import { TokenVerifier, loadTokens } from './auth/tokens.ts';
import { ConfigError, helpText, parseConfig, type Config } from './config.ts';
import type { Deps } from './deps.ts';
import { EventFeed } from './events/feed.ts';
import { DomainEventHub } from './events/hub.ts';
import { Listeners } from './events/listeners.ts';
import { cachedReader } from './host/cache.ts';
import { readSysinfo } from './host/sysinfo.ts';
import { createInventory } from './inventory/index.ts';
import { startBackground, type Background } from './jobs/background.ts';
import { Libvirt, LibvirtClient } from './libvirt/index.ts';
import { SqliteAuditStore } from './store/audit.ts';
import { closeDatabase, openDatabase, type Database } from './store/db.ts';
import { SqliteDefinitionStore } from './store/definitions.ts';
import { migrate } from './store/migrate.ts';

const SHUTDOWN_DEADLINE_MS = 10_000;

/** Runs the agent (or the `token` subcommand); resolves with an exit code when it should exit at once. */
export async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number | null> {
  if (argv[0] === 'token') return runTokenCli(argv.slice(1));
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
  const db = openDatabase(config.db);
  const { from, to } = migrate(db);
  const deps = buildDeps(config, db, tokens, log);
  const interrupted = deps.audit.markInterrupted(deps.clock.now());
  log.info({ db: config.db, schemaFrom: from, schemaTo: to, interrupted }, 'database ready');
  const background = startBackground(deps, {
    snapshots: { schedule: config.snapshotSchedule },
    retention: { snapshotRetentionMs: config.snapshotRetentionMs, auditRetentionMs: config.auditRetentionMs },
  });
  connectLibvirt(deps, log);
  const server = listen(config, deps, log);
  const stop = () => void shutdown(server, deps, db, log, background).then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  return null;
}

function buildDeps(config: Config, db: Database, tokens: TokenVerifier | null, log: Logger): Deps {
  const client = new LibvirtClient(config.libvirtUri, { callTimeoutMs: config.libvirtTimeoutMs });
  const libvirt = new Libvirt(client);
  const clock = { now: () => Date.now() };
  return {
    libvirt,
    events: new DomainEventHub(libvirt),
    audit: new SqliteAuditStore(db),
    definitions: new SqliteDefinitionStore(db),
    host: { sysinfo: cachedReader(() => readSysinfo(), clock.now) },
    tokens,
    locks: new DomainLocks(),
    clock,
    log,
    settings: {
      auditReads: config.auditReads,
      bodyLimitBytes: config.bodyLimitBytes,
      requestTimeoutMs: config.requestTimeoutMs,
      migrateUriTemplate: config.migrateUriTemplate,
      readTimeoutMs: config.readTimeoutMs,
    },
    inventory: createInventory(db),
    feed: new EventFeed(),
    auditFinished: new Listeners(),
  };
}

/** Connects in the background (retrying forever); subscribes to events on the first connection. */
function connectLibvirt(deps: Deps, log: Logger): void {
  const client = deps.libvirt.client;
  let subscribed = false;
  client.onStateChange((state, reason) => {
    log.info({ libvirt: client.uri, state, reason: reason?.message }, 'libvirt connection');
    if (state !== 'connected' || subscribed) return;
    subscribed = true; // the client re-registers these itself after every reconnect
    deps.events.start().catch((err: Error) => {
      subscribed = false;
      log.error({ err }, 'event subscription failed');
    });
  });
  client.start();
}

function listen(config: Config, deps: Deps, log: Logger): ServerType {
  const app = createApp(deps);
  const tls = config.tls ? { cert: readFileSync(config.tls.cert), key: readFileSync(config.tls.key) } : null;
  const options = {
    fetch: app.fetch,
    port: config.listen.port,
    ...(config.listen.host !== undefined && { hostname: config.listen.host }),
    ...(tls && { createServer: createHttpsServer, serverOptions: tls }),
  };
  return serve(options, (info) => log.info({ address: info.address, port: info.port, tls: tls !== null }, 'listening'));
}

async function shutdown(server: ServerType, deps: Deps, db: Database, log: Logger, background: Background): Promise<void> {
  log.info('shutting down');
  const jobs = background.stop(); // closes the event streams first, so that the server can close
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, SHUTDOWN_DEADLINE_MS);
    server.close(() => { clearTimeout(timer); resolve(); });
    if ('closeIdleConnections' in server) server.closeIdleConnections();
  });
  await jobs;
  await deps.libvirt.client.close();
  closeDatabase(db);
  log.info('stopped');
}

const code = await main(process.argv.slice(2), process.env);
if (code !== null) process.exitCode = code;
