/**
 * The agent's settings: each a flag with an environment equivalent GOVIRTHOST_<SETTING>. A flag wins
 * over the environment, the environment over the default. Every value is validated with valibot;
 * a bad one is a ConfigError naming the flag and the variable (main prints it and exits 2).
 */
import { parseArgs } from 'node:util';
import * as v from 'valibot';
import cron from 'node-cron';
import { parseLibvirtUri } from '../libvirt/uri.ts';
import {
  booleanWord, checkedUriTemplate, isLoopbackHost, nonEmpty, parseDurationMs, parseListen, parsePercent, parseRate,
  parseSecondsMs, parseSize, parsedBy, type ListenAddress,
} from './values.ts';

export { isLoopbackHost, type ListenAddress } from './values.ts';

/** pino's levels, lowest volume last. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/** One of LOG_LEVELS. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The validated settings. */
export interface Config {
  /** --help was given: main prints helpText() and exits 0; the other fields are then the defaults. */
  help: boolean;
  listen: ListenAddress;
  libvirtUri: string;
  db: string;
  tokensFile: string | undefined;
  logLevel: LogLevel;
  auditReads: boolean;
  consoleRecordInput: boolean;
  auditLines: 'stdout' | 'off';
  otlpLogsEndpoint: string | undefined;
  leaseDir: string;
  bodyLimitBytes: number;
  requestTimeoutMs: number;
  /** Longest an operation may run before it is canceled. */
  maxActionMs: number;
  libvirtTimeoutMs: number;
  /** How long shutdown waits for running actions before closing their records as interrupted. */
  shutdownTimeoutMs: number;
  tls: { cert: string; key: string } | undefined;
  migrateUriTemplate: string;
  /** Callers may give a full libvirt URI as a migration target instead of a host name (dangerous). */
  allowUriTargets: boolean;
  storagePool: string;
  network: string;
  migrateCheckTimeoutMs: number;
  /** Cron expression (seconds first) of the inventory snapshots. */
  snapshotSchedule: string;
  snapshotRetentionMs: number;
  /** null: audit records and state changes are kept for ever. */
  auditRetentionMs: number | null;
  /** A default read slower than this is answered from the inventory view. */
  readTimeoutMs: number;
  /** /readyz is unready while the newest snapshot is older than this. */
  snapshotMaxAgeMs: number;
  /** Mutations are refused while the database's filesystem has less free (0: that bound is off). */
  minFreeDiskBytes: number;
  minFreeDiskPercent: number;
  /** Refusals without a valid token answered in full per address and minute (after a burst). */
  authFailuresPerMinute: number;
  /** The most bytes of define/create XML documents the audit log keeps. */
  auditDocumentsCapBytes: number;
}

/** A bad flag, environment variable or combination; its message says which and what is wrong. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** One row of the settings table that --help and the README are made from. */
export interface Setting {
  name: string;
  flag: string;
  env: string;
  kind: 'string' | 'boolean';
  /** What the value looks like in --help (empty for a boolean). */
  placeholder: string;
  default: string | undefined;
  description: string;
}

/** `tokens-file` → `GOVIRTHOST_TOKENS_FILE`. */
export function envName(name: string): string {
  return `GOVIRTHOST_${name.toUpperCase().replaceAll('-', '_')}`;
}

function setting(name: string, placeholder: string, def: string | undefined, description: string): Setting {
  const kind = placeholder === '' ? 'boolean' : 'string';
  return { name, flag: `--${name}`, env: envName(name), kind, placeholder, default: def, description };
}

/** Every setting, in --help order. */
export const SETTINGS: readonly Setting[] = [
  setting('listen', 'HOST:PORT', '127.0.0.1:8080',
    'Address to listen on: 127.0.0.1:8080, [::1]:8080, or :8080 for every address. A non-loopback address needs --tokens-file.'),
  setting('libvirt-uri', 'URI', 'qemu:///system', 'libvirt to manage: qemu:///system, qemu+unix:///system?socket=PATH or qemu+tcp://HOST/system.'),
  setting('db', 'PATH', '/var/lib/govirthost/govirthost.db', 'SQLite database (audit log, domain definitions).'),
  setting('tokens-file', 'PATH', undefined,
    'Bearer tokens with roles (make them with `govirthost token create`). Without it there is no authentication and only loopback is allowed.'),
  setting('log-level', 'LEVEL', 'info', `Log level: ${LOG_LEVELS.join(', ')}.`),
  setting('audit-reads', '', 'false', 'Audit reads as well as changes. Environment: 1/0, true/false, yes/no.'),
  setting('audit-lines', 'WHERE', 'stdout',
    'Where each finished audit record also goes as one JSON line (schema govirthost.audit/1): stdout (journald, any log shipper) or off.'),
  setting('lease-dir', 'PATH', '/var/lib/libvirt/dnsmasq',
    'libvirt\'s dnsmasq lease directory, watched so that a wait for a guest\'s address wakes on its lease (where it is missing, waits back off).'),
  setting('otlp-logs-endpoint', 'URL', undefined,
    'Also export each finished audit record as an OpenTelemetry log record over OTLP/HTTP to this URL (a collector\'s /v1/logs). Off unless given.'),
  setting('console-record-input', '', 'false',
    'Keep what is typed into each console session in its audit record (its first 64 KiB). Off by default: passwords are typed there too.'),
  setting('snapshot-schedule', 'CRON', '*/30 * * * * *', 'When to take inventory snapshots: a cron expression, seconds first.'),
  setting('snapshot-retention', 'DURATION', '14d', 'How long inventory snapshots are kept: 14d, 36h, 90m, or seconds.'),
  setting('audit-retention', 'DURATION', 'never', 'How long audit records and the state timeline are kept: never, or a duration such as 400d.'),
  setting('body-limit', 'SIZE', '1MiB', 'Largest request body: bytes, or with a suffix (KiB, MiB, GiB, KB, MB, GB).'),
  setting('request-timeout', 'SECONDS', '30',
    'Time limit for one HTTP request. A mutation still running then is answered 202 with its operation\'s Location and goes on.'),
  setting('max-action-time', 'DURATION', '1h',
    'Longest an operation (a mutation: a shutdown waiting, a migration) may run before it is canceled: 90m, 2h, or seconds.'),
  setting('libvirt-timeout', 'SECONDS', '30', 'Time limit for one libvirt call.'),
  setting('shutdown-timeout', 'SECONDS', '30',
    'On SIGTERM, how long running actions may take to finish; those still running then are recorded as interrupted.'),
  setting('snapshot-max-age', 'SECONDS', '300', '/readyz reports unready while the newest inventory snapshot is older than this.'),
  setting('read-timeout', 'SECONDS', '2',
    'A read that does not ask for fresh data and gets no answer from libvirt within this is answered from the inventory view (cached). Less than --request-timeout.'),
  setting('tls-cert', 'PATH', undefined, 'TLS certificate (PEM) to serve HTTPS; needs --tls-key.'),
  setting('tls-key', 'PATH', undefined, 'TLS private key (PEM); needs --tls-cert.'),
  setting('migrate-uri-template', 'URI', 'qemu+tcp://{target}/system',
    'Destination URI for migrate; {target}, the host, is replaced by the target host[:port]. No parameter that runs a program (command, netcat, proxy, socket).'),
  setting('allow-uri-targets', '', 'false',
    'DANGEROUS: let callers give a full libvirt URI as a migration target instead of a host name (still refused: parameters that run a program or turn a check off).'),
  setting('migrate-check-timeout', 'SECONDS', '5', 'Time limit for the migration pre-check to open a connection to the destination.'),
  setting('min-free-disk', 'SIZE', '1GiB',
    'Refuse mutations (507) while the filesystem of --db has less free space than this; reads go on. 0 turns it off.'),
  setting('min-free-disk-percent', 'PERCENT', '5', 'The same bound as a share of that filesystem; 0 turns it off.'),
  setting('auth-failures-per-minute', 'N', '6',
    'Requests without a valid token answered (and recorded) per client address and minute, after a burst of 20; the rest get 429.'),
  setting('audit-documents-cap', 'SIZE', '64MiB', 'Most bytes of define/create XML documents kept beside their audit records; the oldest go first.'),
  setting('storage-pool', 'NAME', 'default', 'Storage pool holding the base images that create-from-form guests get an overlay on.'),
  setting('network', 'NAME', 'default', 'libvirt network that create-from-form guests join and get static DHCP entries on.'),
];

const SCHEMAS = {
  listen: v.pipe(nonEmpty, parsedBy(parseListen)),
  'libvirt-uri': v.pipe(nonEmpty, parsedBy((uri) => (parseLibvirtUri(uri), uri))),
  db: nonEmpty,
  'tokens-file': nonEmpty,
  'log-level': v.picklist(LOG_LEVELS, `must be one of ${LOG_LEVELS.join(', ')}`),
  'audit-reads': booleanWord,
  'console-record-input': booleanWord,
  'audit-lines': v.picklist(['stdout', 'off'], 'must be stdout or off'),
  'lease-dir': nonEmpty,
  'otlp-logs-endpoint': v.pipe(nonEmpty, v.url('must be an http:// or https:// URL'), v.regex(/^https?:\/\//i, 'must be an http:// or https:// URL')),
  'body-limit': v.pipe(nonEmpty, parsedBy(parseSize)),
  'request-timeout': v.pipe(nonEmpty, parsedBy(parseSecondsMs)),
  'max-action-time': v.pipe(nonEmpty, parsedBy(parseDurationMs)),
  'libvirt-timeout': v.pipe(nonEmpty, parsedBy(parseSecondsMs)),
  'shutdown-timeout': v.pipe(nonEmpty, parsedBy(parseSecondsMs)),
  'snapshot-schedule': v.pipe(nonEmpty, v.check((expression) => cron.validate(expression), 'is not a cron expression (6 fields, seconds first, as */30 * * * * *)')),
  'snapshot-retention': v.pipe(nonEmpty, parsedBy(parseDurationMs)),
  'audit-retention': v.pipe(nonEmpty, parsedBy((text): number | null => (text.toLowerCase() === 'never' ? null : parseDurationMs(text)))),
  'read-timeout': v.pipe(nonEmpty, parsedBy(parseSecondsMs)),
  'snapshot-max-age': v.pipe(nonEmpty, parsedBy(parseSecondsMs)),
  'tls-cert': nonEmpty,
  'tls-key': nonEmpty,
  'migrate-uri-template': v.pipe(nonEmpty, parsedBy(checkedUriTemplate)),
  'allow-uri-targets': booleanWord,
  'migrate-check-timeout': v.pipe(nonEmpty, parsedBy(parseSecondsMs)),
  'min-free-disk': v.pipe(nonEmpty, parsedBy((text) => (text === '0' ? 0 : parseSize(text, 1024 ** 5)))),
  'min-free-disk-percent': v.pipe(nonEmpty, parsedBy(parsePercent)),
  'auth-failures-per-minute': v.pipe(nonEmpty, parsedBy(parseRate)),
  'audit-documents-cap': v.pipe(nonEmpty, parsedBy(parseSize)),
  'storage-pool': v.pipe(nonEmpty, v.regex(/^[^/\s]+$/, 'must be a storage pool name')),
  network: v.pipe(nonEmpty, v.regex(/^[^/\s]+$/, 'must be a network name')),
};

type Name = keyof typeof SCHEMAS;
type Values = { [K in Name]: v.InferOutput<(typeof SCHEMAS)[K]> | undefined };
type Raw = { text: string; from: string };

/** Builds the config from command-line flags (argv without node and script) and an environment. */
export function parseConfig(argv: string[], env: Record<string, string | undefined>): Config {
  const flags = parseFlags(argv);
  if (flags['help'] === true) return { ...build(resolveAll({}, {})), help: true };
  return build(resolveAll(flags, env));
}

function parseFlags(argv: string[]): Record<string, string | boolean | undefined> {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const s of SETTINGS) {
    options[s.name] = { type: s.kind };
    if (s.kind === 'boolean') options[`no-${s.name}`] = { type: 'boolean' };
  }
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new ConfigError(flagErrorMessage(err instanceof Error ? err.message : String(err)));
  }
}

function flagErrorMessage(message: string): string {
  const flag = /'(-[^' <=]+)/.exec(message)?.[1];
  const known = SETTINGS.find((s) => s.flag === flag);
  const hint = known?.kind === 'boolean' ? ` (write ${known.flag} or --no-${known.name})` : '';
  if (known) return `${known.flag} / ${known.env}: ${message.split('\n')[0]}${hint}`;
  if (/^Unknown option/.test(message)) return `unknown flag ${flag ?? ''}; see --help`;
  return `${message.split('\n')[0]}; see --help`;
}

function resolveAll(flags: Record<string, string | boolean | undefined>, env: Record<string, string | undefined>): Values {
  const out: Partial<Record<Name, unknown>> = {};
  for (const s of SETTINGS) {
    const raw = rawValue(s, flags, env);
    out[s.name as Name] = raw === undefined ? undefined : validate(s, raw);
  }
  return out as Values;
}

function rawValue(s: Setting, flags: Record<string, string | boolean | undefined>, env: Record<string, string | undefined>): Raw | undefined {
  const flag = flags[s.name];
  if (s.kind === 'boolean' && flag === true && flags[`no-${s.name}`] === true) {
    throw new ConfigError(`${s.flag} and --no-${s.name} contradict each other`);
  }
  if (flag === true) return { text: 'true', from: s.flag };
  if (s.kind === 'boolean' && flags[`no-${s.name}`] === true) return { text: 'false', from: `--no-${s.name}` };
  if (typeof flag === 'string') return { text: flag, from: s.flag };
  const fromEnv = env[s.env];
  if (fromEnv !== undefined && fromEnv !== '') return { text: fromEnv.trim(), from: `the environment (${s.env})` };
  return s.default === undefined ? undefined : { text: s.default, from: 'the default' };
}

function validate(s: Setting, raw: Raw): unknown {
  const result = v.safeParse(SCHEMAS[s.name as Name], raw.text);
  if (result.success) return result.output;
  const reason = result.issues.map((issue) => issue.message).join('; ');
  throw new ConfigError(`${s.flag} / ${s.env}: ${JSON.stringify(raw.text)} from ${raw.from}: ${reason}`);
}

function need<T>(value: T | undefined, name: Name): T {
  if (value === undefined) throw new ConfigError(`--${name} / ${envName(name)} is required`);
  return value;
}

function build(values: Values): Config {
  const listen = need(values.listen, 'listen');
  if (values['tokens-file'] === undefined && !isLoopbackHost(listen.host)) {
    const where = listen.host === undefined ? `every address (:${listen.port})` : `'${listen.host}'`;
    throw new ConfigError(`--listen / GOVIRTHOST_LISTEN: ${where} is not a loopback address, and tokens are required to listen `
      + 'on a non-loopback address: set --tokens-file / GOVIRTHOST_TOKENS_FILE (make one with `govirthost token create`)');
  }
  const [cert, key] = [values['tls-cert'], values['tls-key']];
  if ((cert === undefined) !== (key === undefined)) {
    const [given, missing] = cert === undefined ? ['tls-key', 'tls-cert'] : ['tls-cert', 'tls-key'];
    throw new ConfigError(`--tls-cert / GOVIRTHOST_TLS_CERT and --tls-key / GOVIRTHOST_TLS_KEY go together: --${given} is set `
      + `but --${missing} / ${envName(missing)} is not`);
  }
  return {
    help: false,
    listen,
    libvirtUri: need(values['libvirt-uri'], 'libvirt-uri'),
    db: need(values.db, 'db'),
    tokensFile: values['tokens-file'],
    logLevel: need(values['log-level'], 'log-level'),
    auditReads: need(values['audit-reads'], 'audit-reads'),
    consoleRecordInput: need(values['console-record-input'], 'console-record-input'),
    auditLines: need(values['audit-lines'], 'audit-lines'),
    otlpLogsEndpoint: values['otlp-logs-endpoint'],
    leaseDir: need(values['lease-dir'], 'lease-dir'),
    bodyLimitBytes: need(values['body-limit'], 'body-limit'),
    requestTimeoutMs: need(values['request-timeout'], 'request-timeout'),
    maxActionMs: need(values['max-action-time'], 'max-action-time'),
    libvirtTimeoutMs: need(values['libvirt-timeout'], 'libvirt-timeout'),
    shutdownTimeoutMs: need(values['shutdown-timeout'], 'shutdown-timeout'),
    tls: cert !== undefined && key !== undefined ? { cert, key } : undefined,
    migrateUriTemplate: need(values['migrate-uri-template'], 'migrate-uri-template'),
    allowUriTargets: need(values['allow-uri-targets'], 'allow-uri-targets'),
    migrateCheckTimeoutMs: need(values['migrate-check-timeout'], 'migrate-check-timeout'),
    storagePool: need(values['storage-pool'], 'storage-pool'),
    network: need(values.network, 'network'),
    ...inventorySettings(values),
    ...guardSettings(values),
  };
}

function guardSettings(values: Values): Pick<Config, 'minFreeDiskBytes' | 'minFreeDiskPercent' | 'authFailuresPerMinute' | 'auditDocumentsCapBytes'> {
  return {
    minFreeDiskBytes: need(values['min-free-disk'], 'min-free-disk'),
    minFreeDiskPercent: need(values['min-free-disk-percent'], 'min-free-disk-percent'),
    authFailuresPerMinute: need(values['auth-failures-per-minute'], 'auth-failures-per-minute'),
    auditDocumentsCapBytes: need(values['audit-documents-cap'], 'audit-documents-cap'),
  };
}

function inventorySettings(values: Values): Pick<Config, 'snapshotSchedule' | 'snapshotRetentionMs' | 'auditRetentionMs' | 'readTimeoutMs' | 'snapshotMaxAgeMs'> {
  const readTimeoutMs = need(values['read-timeout'], 'read-timeout');
  const requestTimeoutMs = need(values['request-timeout'], 'request-timeout');
  if (readTimeoutMs >= requestTimeoutMs) {
    throw new ConfigError(`--read-timeout / GOVIRTHOST_READ_TIMEOUT (${readTimeoutMs / 1000} s) must be less than --request-timeout / `
      + `GOVIRTHOST_REQUEST_TIMEOUT (${requestTimeoutMs / 1000} s), or reads time out before they can fall back to the inventory view`);
  }
  return {
    snapshotSchedule: need(values['snapshot-schedule'], 'snapshot-schedule'),
    snapshotRetentionMs: need(values['snapshot-retention'], 'snapshot-retention'),
    auditRetentionMs: need(values['audit-retention'], 'audit-retention'),
    readTimeoutMs,
    snapshotMaxAgeMs: need(values['snapshot-max-age'], 'snapshot-max-age'),
  };
}

/** The --help text, made from SETTINGS. */
export function helpText(): string {
  const lines = [
    'Usage: govirthost [options]',
    '       govirthost token create --name NAME --role viewer|operator|admin --tokens-file PATH',
    '       govirthost token list --tokens-file PATH',
    '',
    'Options (each can also be set by the environment variable shown; a flag wins over the environment):',
  ];
  for (const s of SETTINGS) {
    const left = s.kind === 'boolean' ? `${s.flag}, --no-${s.name}` : `${s.flag} ${s.placeholder}`;
    lines.push(`  ${left.padEnd(33)} ${s.description}`);
    lines.push(`  ${''.padEnd(34)}[${s.env}${s.default === undefined ? '' : `, default ${s.default}`}]`);
  }
  lines.push(`  ${'-h, --help'.padEnd(34)}Print this help and exit.`);
  return `${lines.join('\n')}\n`;
}
