/**
 * Settings from flags and environment: defaults, each flag, env equivalents, precedence, bad values
 * naming both the flag and the variable, the loopback rule, TLS pairing, and the help text.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, SETTINGS, envName, helpText, isLoopbackHost, parseConfig, type Config } from '../../src/config/index.ts';

const DEFAULTS: Config = {
  help: false,
  listen: { host: '127.0.0.1', port: 8080 },
  libvirtUri: 'qemu:///system',
  db: '/var/lib/govirthost/govirthost.db',
  tokensFile: undefined,
  logLevel: 'info',
  auditReads: false,
  consoleRecordInput: false,
  auditLines: 'stdout',
  otlpLogsEndpoint: undefined,
  leaseDir: '/var/lib/libvirt/dnsmasq',
  bodyLimitBytes: 1048576,
  requestTimeoutMs: 30_000,
  maxActionMs: 3_600_000,
  libvirtTimeoutMs: 30_000,
  shutdownTimeoutMs: 30_000,
  tls: undefined,
  migrateUriTemplate: 'qemu+tcp://{target}/system',
  allowUriTargets: false,
  migrateCheckTimeoutMs: 5_000,
  storagePool: 'default',
  network: 'default',
  snapshotSchedule: '*/30 * * * * *',
  snapshotRetentionMs: 14 * 86_400_000,
  auditRetentionMs: null,
  readTimeoutMs: 2000,
  snapshotMaxAgeMs: 300_000,
  minFreeDiskBytes: 1024 ** 3,
  minFreeDiskPercent: 5,
  authFailuresPerMinute: 6,
  auditDocumentsCapBytes: 64 * 1024 ** 2,
};

/** Asserts parsing throws a ConfigError whose message contains every one of `parts`. */
function fails(argv: string[], env: Record<string, string>, ...parts: (string | RegExp)[]): void {
  assert.throws(() => parseConfig(argv, env), (err: unknown) => {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    for (const part of parts) {
      if (typeof part === 'string') assert.ok(err.message.includes(part), `'${err.message}' lacks '${part}'`);
      else assert.match(err.message, part);
    }
    return true;
  });
}

describe('defaults', () => {
  test('no flags and no environment', () => {
    assert.deepEqual(parseConfig([], {}), DEFAULTS);
  });

  test('unrelated and empty environment variables are ignored', () => {
    assert.deepEqual(parseConfig([], { PATH: '/bin', GOVIRTHOST_DB: '', GOVIRTHOST_LISTEN: '' }), DEFAULTS);
  });
});

/** Each setting: a flag value, and the Config fields it should produce. */
const EACH: [string, string | null, Partial<Config>][] = [
  ['listen', '127.0.0.2:9000', { listen: { host: '127.0.0.2', port: 9000 } }],
  ['libvirt-uri', 'qemu+tcp://kvm1/system', { libvirtUri: 'qemu+tcp://kvm1/system' }],
  ['db', '/tmp/x.db', { db: '/tmp/x.db' }],
  ['tokens-file', '/etc/govirthost/tokens.json', { tokensFile: '/etc/govirthost/tokens.json' }],
  ['log-level', 'debug', { logLevel: 'debug' }],
  ['audit-reads', null, { auditReads: true }],
  ['console-record-input', null, { consoleRecordInput: true }],
  ['audit-lines', 'off', { auditLines: 'off' }],
  ['lease-dir', '/run/leases', { leaseDir: '/run/leases' }],
  ['otlp-logs-endpoint', 'http://127.0.0.1:4318/v1/logs', { otlpLogsEndpoint: 'http://127.0.0.1:4318/v1/logs' }],
  ['body-limit', '512KiB', { bodyLimitBytes: 524288 }],
  ['request-timeout', '5', { requestTimeoutMs: 5000 }],
  ['max-action-time', '2h', { maxActionMs: 7_200_000 }],
  ['libvirt-timeout', '2.5', { libvirtTimeoutMs: 2500 }],
  ['shutdown-timeout', '45', { shutdownTimeoutMs: 45_000 }],
  ['migrate-uri-template', 'qemu+tcp://{target}:16509/system', { migrateUriTemplate: 'qemu+tcp://{target}:16509/system' }],
  ['allow-uri-targets', null, { allowUriTargets: true }],
  ['migrate-check-timeout', '1.5', { migrateCheckTimeoutMs: 1500 }],
  ['storage-pool', 'images', { storagePool: 'images' }],
  ['network', 'guests', { network: 'guests' }],
  ['snapshot-schedule', '*/5 * * * * *', { snapshotSchedule: '*/5 * * * * *' }],
  ['snapshot-retention', '36h', { snapshotRetentionMs: 36 * 3_600_000 }],
  ['audit-retention', '400d', { auditRetentionMs: 400 * 86_400_000 }],
  ['read-timeout', '1.5', { readTimeoutMs: 1500 }],
  ['snapshot-max-age', '90', { snapshotMaxAgeMs: 90_000 }],
  ['min-free-disk', '512MiB', { minFreeDiskBytes: 512 * 1024 ** 2 }],
  ['min-free-disk-percent', '2.5', { minFreeDiskPercent: 2.5 }],
  ['auth-failures-per-minute', '30', { authFailuresPerMinute: 30 }],
  ['audit-documents-cap', '8MiB', { auditDocumentsCapBytes: 8 * 1024 ** 2 }],
];

test('--min-free-disk 0 and --min-free-disk-percent 0 turn the disk guard\'s bounds off', () => {
  const config = parseConfig(['--min-free-disk', '0', '--min-free-disk-percent', '0'], {});
  assert.deepEqual([config.minFreeDiskBytes, config.minFreeDiskPercent], [0, 0]);
});

describe('each flag and its environment variable', () => {
  for (const [name, value, expected] of EACH) {
    test(`--${name}`, () => {
      const argv = value === null ? [`--${name}`] : [`--${name}`, value];
      assert.deepEqual(parseConfig(argv, {}), { ...DEFAULTS, ...expected });
      assert.deepEqual(parseConfig(value === null ? argv : [`--${name}=${value}`], {}), { ...DEFAULTS, ...expected });
    });
    test(envName(name), () => {
      assert.deepEqual(parseConfig([], { [envName(name)]: value ?? 'true' }), { ...DEFAULTS, ...expected });
    });
  }

  test('--tls-cert with --tls-key, and their variables', () => {
    const tls = { cert: '/c.pem', key: '/k.pem' };
    assert.deepEqual(parseConfig(['--tls-cert', '/c.pem', '--tls-key', '/k.pem'], {}).tls, tls);
    assert.deepEqual(parseConfig([], { GOVIRTHOST_TLS_CERT: '/c.pem', GOVIRTHOST_TLS_KEY: '/k.pem' }).tls, tls);
    assert.deepEqual(parseConfig(['--tls-cert', '/c.pem'], { GOVIRTHOST_TLS_KEY: '/k.pem' }).tls, tls);
  });

  test('every setting in the table is covered above', () => {
    const covered = new Set([...EACH.map(([name]) => name), 'tls-cert', 'tls-key']);
    assert.deepEqual(SETTINGS.map((s) => s.name).filter((n) => !covered.has(n)), []);
  });
});

describe('value forms', () => {
  test('listen: IPv6 in brackets, :PORT for every address, localhost', () => {
    assert.deepEqual(parseConfig(['--listen', '[::1]:8080'], {}).listen, { host: '::1', port: 8080 });
    assert.deepEqual(parseConfig(['--listen', 'localhost:1'], {}).listen, { host: 'localhost', port: 1 });
    assert.deepEqual(parseConfig(['--listen', ':8080', '--tokens-file', '/t'], {}).listen, { host: undefined, port: 8080 });
    assert.deepEqual(parseConfig(['--listen', 'kvm1.example.org:65535', '--tokens-file', '/t'], {}).listen,
      { host: 'kvm1.example.org', port: 65535 });
  });

  test('audit-reads: every accepted environment word, any case; --no-audit-reads', () => {
    for (const word of ['1', 'true', 'yes', 'TRUE', 'Yes']) assert.equal(parseConfig([], { GOVIRTHOST_AUDIT_READS: word }).auditReads, true);
    for (const word of ['0', 'false', 'no', 'NO']) assert.equal(parseConfig([], { GOVIRTHOST_AUDIT_READS: word }).auditReads, false);
    assert.equal(parseConfig(['--no-audit-reads'], { GOVIRTHOST_AUDIT_READS: 'yes' }).auditReads, false);
  });

  test('body-limit: bare bytes, binary and decimal suffixes', () => {
    const limit = (text: string): number => parseConfig(['--body-limit', text], {}).bodyLimitBytes;
    assert.equal(limit('1048576'), 1048576);
    assert.equal(limit('1MiB'), 1048576);
    assert.equal(limit('1MB'), 1_000_000);
    assert.equal(limit('2k'), 2048);
    assert.equal(limit('1.5KiB'), 1536);
    assert.equal(limit('1GiB'), 1024 ** 3);
  });

  test('retention durations: seconds, minutes, hours, days, weeks; audit retention never, any case', () => {
    const snapshots = (text: string): number => parseConfig(['--snapshot-retention', text], {}).snapshotRetentionMs;
    assert.equal(snapshots('3600'), 3_600_000);
    assert.equal(snapshots('90s'), 90_000);
    assert.equal(snapshots('90m'), 5_400_000);
    assert.equal(snapshots('2w'), 14 * 86_400_000);
    assert.equal(parseConfig(['--audit-retention', 'NEVER'], {}).auditRetentionMs, null);
    assert.equal(parseConfig([], { GOVIRTHOST_AUDIT_RETENTION: '30d' }).auditRetentionMs, 30 * 86_400_000);
  });

  test('snapshot schedule: five fields (minutes) or six (seconds first)', () => {
    assert.equal(parseConfig(['--snapshot-schedule', '*/2 * * * *'], {}).snapshotSchedule, '*/2 * * * *');
    assert.equal(parseConfig(['--snapshot-schedule', '* * * * * *'], {}).snapshotSchedule, '* * * * * *');
  });

  test('the read timeout must be less than the request timeout', () => {
    fails(['--request-timeout', '2'], {}, '--read-timeout', 'GOVIRTHOST_READ_TIMEOUT', '--request-timeout', /must be less than/);
    fails(['--read-timeout', '40'], {}, /\(40 s\) must be less than .*\(30 s\)/);
    assert.equal(parseConfig(['--request-timeout', '2', '--read-timeout', '1'], {}).readTimeoutMs, 1000);
  });

  test('migrate-uri-template: {target} as the host, with a user, a port, a transport and harmless parameters', () => {
    for (const template of ['qemu+tcp://{target}/system', 'qemu+ssh://root@{target}/system', 'qemu+tls://{target}:16514/system',
      'qemu://{target}/system', 'qemu+libssh2://migrator@{target}/system?known_hosts=/etc/govirthost/known_hosts&sshauth=privkey',
      'qemu+ssh://{target}/system?keyfile=/etc/govirthost/id_ed25519;mode=direct', 'qemu+tls://{target}/system?pkipath=/etc/pki/govirthost']) {
      assert.equal(parseConfig(['--migrate-uri-template', template], {}).migrateUriTemplate, template);
    }
  });

  test('allow-uri-targets: off by default, the environment words, --no-allow-uri-targets', () => {
    assert.equal(parseConfig([], {}).allowUriTargets, false);
    for (const word of ['1', 'yes', 'TRUE']) assert.equal(parseConfig([], { GOVIRTHOST_ALLOW_URI_TARGETS: word }).allowUriTargets, true);
    assert.equal(parseConfig(['--no-allow-uri-targets'], { GOVIRTHOST_ALLOW_URI_TARGETS: 'yes' }).allowUriTargets, false);
    assert.match(helpText(), /--allow-uri-targets, --no-allow-uri-targets DANGEROUS/);
  });

  test('timeouts: seconds with an optional s', () => {
    assert.equal(parseConfig(['--request-timeout', '90s'], {}).requestTimeoutMs, 90_000);
    assert.equal(parseConfig(['--libvirt-timeout', '0.25'], {}).libvirtTimeoutMs, 250);
  });
});

describe('precedence', () => {
  test('flag over environment over default', () => {
    const env = { GOVIRTHOST_LOG_LEVEL: 'warn', GOVIRTHOST_DB: '/env.db' };
    const config = parseConfig(['--log-level', 'trace'], env);
    assert.equal(config.logLevel, 'trace');
    assert.equal(config.db, '/env.db');
    assert.equal(config.libvirtUri, 'qemu:///system');
  });

  test('a bad environment value is not checked when a flag overrides it', () => {
    assert.equal(parseConfig(['--body-limit', '10'], { GOVIRTHOST_BODY_LIMIT: 'lots' }).bodyLimitBytes, 10);
  });

  test('the last of a repeated flag wins', () => {
    assert.equal(parseConfig(['--db', '/a', '--db', '/b'], {}).db, '/b');
  });
});

/** Bad values for each setting, with what the message must say. */
const BAD: [string, string, RegExp][] = [
  ['listen', '127.0.0.1', /expected HOST:PORT/],
  ['listen', '127.0.0.1:0', /port 0 is not between 1 and 65535/],
  ['listen', '127.0.0.1:65536', /port 65536/],
  ['listen', '[127.0.0.1]:80', /not an IPv6 address/],
  ['listen', '::1:80', /expected HOST:PORT/],
  ['listen', '999.1.1.1:80', /not an IPv4 address or a host name/],
  ['libvirt-uri', 'qemu+ssh://root@h/system', /transport 'ssh'/],
  ['libvirt-uri', 'nonsense', /not a libvirt URI/],
  ['log-level', 'verbose', /must be one of fatal, error, warn, info, debug, trace, silent/],
  ['audit-reads', 'maybe', /must be one of 1, true, yes, 0, false, no/],
  ['console-record-input', 'maybe', /must be one of 1, true, yes, 0, false, no/],
  ['audit-lines', 'syslog', /must be stdout or off/],
  ['lease-dir', '', /is required|must not be empty|empty/],
  ['otlp-logs-endpoint', 'ftp://x/', /must be an http:\/\/ or https:\/\/ URL/],
  ['body-limit', '12XB', /expected bytes or a size/],
  ['body-limit', '0', /between 1 byte and 1GiB/],
  ['body-limit', '2GiB', /between 1 byte and 1GiB/],
  ['body-limit', '0.5', /whole number of bytes/],
  ['request-timeout', '0', /more than 0/],
  ['request-timeout', 'soon', /number of seconds/],
  ['libvirt-timeout', '-1', /number of seconds/],
  ['libvirt-timeout', '100000', /at most 86400 seconds/],
  ['shutdown-timeout', 'never', /number of seconds/],
  ['migrate-uri-template', 'qemu+tcp://host/system', /must contain \{target\}/],
  ['migrate-uri-template', '{target}', /must be a URI/],
  ['migrate-uri-template', 'qemu+tcp://{target}/{target}', /exactly once/],
  ['migrate-uri-template', 'qemu+tcp://host/system?x={target}', /exactly once|as the host/],
  ['migrate-uri-template', 'qemu+tcp://host/{target}', /must have \{target\} as the host/],
  ['migrate-uri-template', 'qemu+tcp://x{target}/system', /must have \{target\} as the host/],
  ['migrate-uri-template', 'qemu+tcp://{target}:0/system', /port 0 is not between 1 and 65535/],
  ['migrate-uri-template', 'qemu+ext:///system?command=/bin/sh', /must contain \{target\}/],
  ['migrate-uri-template', 'qemu+ext://{target}/system?command=/usr/bin/nc', /transport 'ext' runs a program/],
  ['migrate-uri-template', 'qemu+ssh://root@{target}/system?command=/bin/sh', /parameter 'command' is refused: it runs a program/],
  ['migrate-uri-template', 'qemu+ssh://{target}/system?keyfile=/k&netcat=/tmp/nc', /parameter 'netcat' is refused/],
  ['migrate-uri-template', 'qemu+ssh://{target}/system?mode=direct;SOCKET=/tmp/s', /parameter 'socket' is refused/],
  ['migrate-uri-template', 'qemu+ssh://{target}/system?proxy=netcat', /parameter 'proxy' is refused/],
  ['migrate-uri-template', 'qemu+ssh://{target}/system?%63ommand=x', /no escapes/],
  ['migrate-uri-template', 'qemu+tcp://{target}/system?x=%00', /percent escape of a control character/],
  ['migrate-uri-template', 'qemu+tcp://{target}/sys tem', /a space is not allowed/],
  ['migrate-uri-template', 'qemu+unix://{target}/system', /transport 'unix' cannot reach another host/],
  ['migrate-uri-template', 'qemu+tcp://{target}/system#frag', /must be a URI/],
  ['allow-uri-targets', 'maybe', /must be one of 1, true, yes, 0, false, no/],
  ['db', '', /must not be empty/],
  ['migrate-check-timeout', '0', /more than 0/],
  ['storage-pool', 'pools/default', /must be a storage pool name/],
  ['network', 'nets/default', /must be a network name/],
  ['snapshot-schedule', 'every minute', /not a cron expression/],
  ['snapshot-schedule', '*/30 * * * * * *', /not a cron expression/],
  ['snapshot-retention', '2 weeks', /expected a duration/],
  ['snapshot-retention', '0', /at least 1 second/],
  ['audit-retention', 'forever', /expected a duration/],
  ['read-timeout', '0', /more than 0/],
  ['snapshot-max-age', 'soon', /seconds/],
  ['min-free-disk', 'lots', /expected bytes or a size/],
  ['min-free-disk-percent', '150', /percentage from 0 to 100/],
  ['min-free-disk-percent', '-1', /percentage from 0 to 100/],
  ['auth-failures-per-minute', '0', /whole number from 1 to 100000/],
  ['auth-failures-per-minute', 'constructor', /whole number from 1 to 100000/],
  ['audit-documents-cap', 'constructor', /expected bytes or a size/],
];

describe('bad values name the flag and the environment variable', () => {
  for (const [name, value, reason] of BAD) {
    if (name !== 'audit-reads' && name !== 'allow-uri-targets' && name !== 'console-record-input') {
      test(`--${name}=${value}`, () => fails([`--${name}=${value}`], {}, `--${name}`, envName(name), JSON.stringify(value), 'from --', reason));
    }
    if (value !== '') {
      test(`${envName(name)}=${value}`, () =>
        fails([], { [envName(name)]: value }, `--${name}`, envName(name), `from the environment (${envName(name)})`, reason));
    }
  }

  test('a string flag with no value', () => {
    fails(['--db'], {}, '--db', 'GOVIRTHOST_DB', /argument missing/);
  });

  test('a boolean flag given a value, or both forms at once', () => {
    fails(['--audit-reads=yes'], {}, '--audit-reads', 'GOVIRTHOST_AUDIT_READS', '--no-audit-reads');
    fails(['--audit-reads', '--no-audit-reads'], {}, /contradict/);
  });
});

describe('unknown flags and stray arguments', () => {
  test('an unknown flag is an error', () => {
    fails(['--listne', '1'], {}, 'unknown flag --listne', '--help');
    fails(['-x'], {}, 'unknown flag -x');
  });

  test('a positional argument is an error', () => {
    fails(['serve'], {}, /Unexpected argument 'serve'/);
  });
});

describe('the loopback rule', () => {
  test('without a tokens file only loopback is allowed', () => {
    for (const listen of ['127.0.0.1:80', '127.9.8.7:80', '[::1]:80', 'localhost:80', 'LOCALHOST:80', '[::ffff:127.0.0.1]:80']) {
      assert.doesNotThrow(() => parseConfig(['--listen', listen], {}), listen);
    }
    for (const listen of [':8080', '0.0.0.0:8080', '[::]:8080', '10.0.0.5:8080', '[fe80::1]:80', 'kvm1.example.org:80', '128.0.0.1:80']) {
      fails(['--listen', listen], {}, '--listen', 'GOVIRTHOST_LISTEN', 'tokens are required to listen on a non-loopback address',
        '--tokens-file', 'GOVIRTHOST_TOKENS_FILE');
    }
  });

  test('with a tokens file from a flag or the environment any address is allowed', () => {
    assert.deepEqual(parseConfig(['--listen', '0.0.0.0:8080', '--tokens-file', '/t'], {}).listen, { host: '0.0.0.0', port: 8080 });
    assert.equal(parseConfig([], { GOVIRTHOST_LISTEN: ':80', GOVIRTHOST_TOKENS_FILE: '/t' }).listen.port, 80);
  });

  test('isLoopbackHost', () => {
    assert.equal(isLoopbackHost(undefined), false);
    assert.equal(isLoopbackHost('0:0:0:0:0:0:0:1'), true);
    assert.equal(isLoopbackHost('fe80::1%eth0'), false);
    assert.equal(isLoopbackHost('localhost.evil.example'), false);
  });
});

describe('TLS needs both or neither', () => {
  test('only a certificate', () => {
    fails(['--tls-cert', '/c.pem'], {}, '--tls-cert', 'GOVIRTHOST_TLS_CERT', '--tls-key', 'GOVIRTHOST_TLS_KEY', /--tls-key \/ GOVIRTHOST_TLS_KEY is not/);
  });

  test('only a key (from the environment)', () => {
    fails([], { GOVIRTHOST_TLS_KEY: '/k.pem' }, /--tls-key is set but --tls-cert \/ GOVIRTHOST_TLS_CERT is not/);
  });
});

describe('help', () => {
  test('--help and -h return help: true without reading the rest', () => {
    assert.equal(parseConfig(['--help'], { GOVIRTHOST_LOG_LEVEL: 'nonsense' }).help, true);
    assert.equal(parseConfig(['-h', '--listen', 'garbage'], {}).help, true);
  });

  test('the help text lists every setting with its flag, variable and default', () => {
    const text = helpText();
    for (const s of SETTINGS) {
      assert.ok(text.includes(s.flag), s.flag);
      assert.ok(text.includes(s.env), s.env);
      if (s.default !== undefined) assert.ok(text.includes(`default ${s.default}`), `${s.flag} default`);
      assert.ok(text.includes(s.description), `${s.flag} description`);
    }
    assert.match(text, /--help/);
    assert.match(text, /token create/);
  });

  test('the table: env names follow the flag names, defaults parse', () => {
    for (const s of SETTINGS) {
      assert.equal(s.flag, `--${s.name}`);
      assert.equal(s.env, `GOVIRTHOST_${s.name.toUpperCase().replaceAll('-', '_')}`);
      assert.ok(s.description.length > 10);
    }
    assert.equal(SETTINGS.length, 31);
  });
});
