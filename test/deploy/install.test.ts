/**
 * install.sh, upgrade.sh and uninstall.sh on a scratch root (--root DIR), never on this system:
 * installing twice gives the same files and keeps the database; the systemd unit they write passes
 * `systemd-analyze verify` and carries the hardening; an upgrade keeps the database (backing it up)
 * and the config, and the new agent applies its new migration when it starts from the installed
 * files; uninstall keeps the database unless --purge.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildBundle } from '../../wrangler-free-deploy/build.ts';
import { hashToken, loadTokens } from '../../src/auth/tokens.ts';
import { SqliteAuditStore } from '../../src/store/audit.ts';
import { openDatabase } from '../../src/store/db.ts';
import { loadMigrations, upgradeSchema, readUserVersion } from '../../src/store/schema.ts';
import { hostEnv } from '../support/hosts.ts';
import { REPO_ROOT, exitWithin, freePort, killIfRunning, spawnCaptured, waitForStatus, type Spawned } from '../support/process.ts';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'gvh-install-'));
const root = path.join(work, 'root');
const bundle = path.join(work, 'bundle', 'govirthost');
const newer = path.join(work, 'newer', 'govirthost');
const at = (p: string) => path.join(root, p);

/** Runs a deploy script; returns its exit status, stdout and stderr. */
function run(script: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('bash', [script, '--root', root, ...args], { encoding: 'utf8', env: { ...process.env, PATH: `${path.dirname(process.execPath)}:${process.env.PATH}` } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Every file and directory under the root: path, type, mode, owner, and a hash of the contents. */
function tree(): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      const st = fs.lstatSync(full);
      const what = entry.isDirectory() ? 'dir' : createHash('sha256').update(fs.readFileSync(full)).digest('hex');
      out[path.relative(root, full)] = `${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid} ${what}`;
      if (entry.isDirectory()) walk(full);
    }
  };
  walk(root);
  return out;
}

/** A scratch root with just the account files useradd --prefix needs, and a libvirt group. */
function makeRoot(): void {
  fs.mkdirSync(at('etc'), { recursive: true });
  fs.writeFileSync(at('etc/passwd'), 'root:x:0:0:root:/root:/bin/bash\n');
  fs.writeFileSync(at('etc/group'), 'root:x:0:\nlibvirt:x:120:\n');
  fs.writeFileSync(at('etc/shadow'), 'root:*:19000:0:99999:7:::\n', { mode: 0o640 });
  fs.writeFileSync(at('etc/gshadow'), 'root:*::\nlibvirt:!::\n', { mode: 0o640 });
}

const accountLine = (file: string, name: string) => fs.readFileSync(at(file), 'utf8').split('\n').find((l) => l.startsWith(`${name}:`));

describe('install, upgrade and uninstall on a scratch root', () => {
  let token = '';
  let agent: Spawned | undefined;
  const probe = `${String(loadMigrations().length + 1).padStart(4, '0')}_upgrade_probe.sql`;

  before(async () => {
    makeRoot();
    await buildBundle(bundle);
    const migrations = path.join(work, 'migrations');
    fs.cpSync(path.join(REPO_ROOT, 'migrations'), migrations, { recursive: true });
    fs.writeFileSync(path.join(migrations, probe), 'CREATE TABLE upgrade_probe (id INTEGER PRIMARY KEY) STRICT;\n');
    await buildBundle(newer, { version: '99.0.0-test', migrationsDir: migrations });
  });
  after(() => {
    killIfRunning(agent);
    fs.rmSync(work, { recursive: true, force: true });
  });

  test('upgrade refuses when nothing is installed', () => {
    const r = run(path.join(newer, 'upgrade.sh'), []);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /not installed in .*: run install.sh/);
    assert.ok(!fs.existsSync(at('opt')));
  });

  test('the first install creates the user, files and one admin token, and skips systemctl saying why', () => {
    const r = run(path.join(bundle, 'install.sh'), ['--listen', ':8080']);
    assert.equal(r.status, 0, r.stderr);
    token = /^ {2}(gvh_\S+)$/m.exec(r.stdout)?.[1] ?? '';
    assert.match(token, /^gvh_[A-Za-z0-9_-]{43}$/);
    assert.match(r.stderr, /skipping 'systemctl enable govirthost': working on the scratch root/);
    assert.match(accountLine('etc/passwd', 'govirthost') ?? '', /^govirthost:x:\d+:\d+:govirthost agent:\/var\/lib\/govirthost:\/usr\/sbin\/nologin$/);
    assert.equal(accountLine('etc/group', 'libvirt'), 'libvirt:x:120:govirthost', 'a member of libvirt\'s group (polkit reads /etc/group)');
    const entries = loadTokens(at('etc/govirthost/tokens.json'));
    assert.deepEqual(entries.map((e) => [e.name, e.role, e.hash]), [['admin', 'admin', hashToken(token)]]);
    const env = fs.readFileSync(at('etc/govirthost/govirthost.env'), 'utf8');
    assert.match(env, /^GOVIRTHOST_LISTEN=:8080$/m);
    assert.match(env, /^GOVIRTHOST_TOKENS_FILE=\/etc\/govirthost\/tokens\.json$/m);
    const t = tree();
    const uid = accountLine('etc/passwd', 'govirthost')!.split(':')[2];
    const gid = accountLine('etc/group', 'govirthost')!.split(':')[2];
    assert.match(t['etc/govirthost/tokens.json'] ?? '', new RegExp(`^640 0:${gid} `));
    assert.match(t['etc/govirthost/govirthost.env'] ?? '', new RegExp(`^640 0:${gid} `));
    assert.equal(t['var/lib/govirthost'], `750 ${uid}:${gid} dir`);
    assert.match(t['opt/govirthost/govirthost.mjs'] ?? '', /^644 0:0 /);
    assert.match(t['usr/local/bin/govirthost'] ?? '', /^755 0:0 /);
    assert.match(fs.readFileSync(at('usr/local/bin/govirthost'), 'utf8'), /^exec \/\S+ \/opt\/govirthost\/govirthost\.mjs "\$@"$/m);
  });

  test('the installed unit passes systemd-analyze verify and has the hardening', () => {
    const unit = at('etc/systemd/system/govirthost.service');
    const verify = spawnSync('systemd-analyze', ['verify', '--man=no', unit], { encoding: 'utf8' });
    assert.equal(verify.status, 0, verify.stderr);
    assert.equal(`${verify.stdout}${verify.stderr}`.trim(), '', 'no warnings either');
    const text = fs.readFileSync(unit, 'utf8');
    for (const line of ['User=govirthost', 'Group=govirthost', 'SupplementaryGroups=libvirt', 'NoNewPrivileges=yes',
      'CapabilityBoundingSet=', 'ProtectSystem=strict', 'ProtectHome=yes', 'PrivateTmp=yes', 'PrivateDevices=yes',
      'StateDirectory=govirthost', 'Restart=on-failure', 'KillSignal=SIGTERM', 'EnvironmentFile=/etc/govirthost/govirthost.env',
      `ExecStart=${fs.realpathSync(process.execPath)} /opt/govirthost/govirthost.mjs`]) {
      assert.ok(text.split('\n').includes(line), `unit lacks '${line}'`);
    }
    assert.match(text, /^RestrictAddressFamilies=.*\bAF_UNIX\b.*\bAF_INET\b/m);
    assert.doesNotMatch(text, /^User=root|@NODE@|@LIBVIRT_GROUP@/m);
    const broken = path.join(work, 'broken.service');
    fs.writeFileSync(broken, text.replace('ProtectHome=yes', 'ProtectHom=yes'));
    const caught = spawnSync('systemd-analyze', ['verify', '--man=no', broken], { encoding: 'utf8' });
    assert.match(caught.stderr, /Unknown key 'ProtectHom'/, 'the check does catch a mistake');
  });

  test('installing again changes nothing and keeps the database', () => {
    const db = openDatabase(at('var/lib/govirthost/govirthost.db'));
    upgradeSchema(db);
    new SqliteAuditStore(db).begin({ requestId: 'kept', receivedAt: 1, actor: 'a', remoteAddr: null, userAgent: null, protocol: 'rest', action: 'start', domain: 'd', target: null, params: {} });
    db.close();
    const before = tree();
    const r = run(path.join(bundle, 'install.sh'), ['--listen', '127.0.0.1:9999']);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /gvh_/, 'no second token');
    assert.match(r.stderr, /keeping \/etc\/govirthost\/govirthost\.env/);
    assert.match(r.stderr, /installed in .* \(nothing changed\)/);
    assert.deepEqual(tree(), before);
  });

  test('an upgrade keeps config and tokens, backs the database up, and the new agent migrates it at start', async () => {
    const env = fs.readFileSync(at('etc/govirthost/govirthost.env'));
    const tokens = fs.readFileSync(at('etc/govirthost/tokens.json'));
    const dbBytes = fs.readFileSync(at('var/lib/govirthost/govirthost.db'));
    const r = run(path.join(newer, 'upgrade.sh'), []);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /upgrading 0\.\d+\.\d+ -> 99\.0\.0-test/);
    assert.deepEqual(fs.readFileSync(at('etc/govirthost/govirthost.env')), env);
    assert.deepEqual(fs.readFileSync(at('etc/govirthost/tokens.json')), tokens);
    assert.deepEqual(fs.readFileSync(at('var/lib/govirthost/govirthost.db.bak')), dbBytes);
    assert.equal(JSON.parse(fs.readFileSync(at('opt/govirthost/manifest.json'), 'utf8')).version, '99.0.0-test');
    const port = await freePort();
    agent = spawnCaptured(process.execPath, [at('opt/govirthost/govirthost.mjs'), '--listen', `127.0.0.1:${port}`,
      '--db', at('var/lib/govirthost/govirthost.db'), '--tokens-file', at('etc/govirthost/tokens.json'),
      '--libvirt-uri', hostEnv('GVH_A_TEST_URI'), '--log-level', 'warn'], { cwd: work, env: { PATH: '/usr/bin:/bin' } });
    await waitForStatus(agent, `http://127.0.0.1:${port}/healthz`);
    const version = await fetch(`http://127.0.0.1:${port}/metrics`).then((res) => res.text());
    assert.match(version, /govirthost_build_info\{version="99\.0\.0-test"/);
    const denied = await fetch(`http://127.0.0.1:${port}/v1/history`);
    assert.equal(denied.status, 401, 'the kept tokens file is in force');
    const history = await fetch(`http://127.0.0.1:${port}/v1/history`, { headers: { authorization: `Bearer ${token}` } }).then((res) => res.json()) as { records: Array<{ requestId: string; outcome: string }> };
    assert.ok(history.records.some((rec) => rec.requestId === 'kept' && rec.outcome === 'interrupted'), 'the old record is still there');
    agent.proc.kill('SIGTERM');
    assert.deepEqual(await exitWithin(agent, 30_000), { code: 0, signal: null }, agent.output());
    const db = openDatabase(at('var/lib/govirthost/govirthost.db'));
    try {
      assert.equal(readUserVersion(db), loadMigrations().length + 1, `${probe} was applied`);
      assert.deepEqual(db.prepare("SELECT name FROM sqlite_schema WHERE name = 'upgrade_probe'").all(), [{ name: 'upgrade_probe' }]);
    } finally {
      db.close();
    }
  });

  test('uninstall keeps the database, config and user; --purge removes them', () => {
    const r = run(path.join(root, 'opt/govirthost/uninstall.sh'), []);
    assert.equal(r.status, 0, r.stderr);
    for (const gone of ['opt/govirthost', 'usr/local/bin/govirthost', 'etc/systemd/system/govirthost.service']) assert.ok(!fs.existsSync(at(gone)), `${gone} removed`);
    for (const kept of ['var/lib/govirthost/govirthost.db', 'etc/govirthost/tokens.json', 'etc/govirthost/govirthost.env']) assert.ok(fs.existsSync(at(kept)), `${kept} kept`);
    assert.ok(accountLine('etc/passwd', 'govirthost'));
    assert.match(r.stderr, /kept \/var\/lib\/govirthost \(the database\)/);
    const purge = run(path.join(bundle, 'uninstall.sh'), ['--purge']);
    assert.equal(purge.status, 0, purge.stderr);
    assert.ok(!fs.existsSync(at('var/lib/govirthost')) && !fs.existsSync(at('etc/govirthost')));
    assert.equal(accountLine('etc/passwd', 'govirthost'), undefined);
    assert.equal(accountLine('etc/group', 'govirthost'), undefined);
    assert.equal(accountLine('etc/group', 'libvirt'), 'libvirt:x:120:', 'other groups stay, without the user');
  });
});

test('the deploy scripts are valid bash (and the check catches a script that is not)', () => {
  const syntax = (file: string) => spawnSync('bash', ['-n', file], { encoding: 'utf8' });
  for (const script of ['install.sh', 'upgrade.sh', 'uninstall.sh', 'lib.sh']) {
    const r = syntax(path.join(REPO_ROOT, 'wrangler-free-deploy', script));
    assert.equal(r.status, 0, `${script}: ${r.stderr}`);
  }
  const broken = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gvh-bash-')), 'broken.sh');
  fs.writeFileSync(broken, 'if true; then\n  echo never closed\n');
  assert.notEqual(syntax(broken).status, 0);
  fs.rmSync(path.dirname(broken), { recursive: true, force: true });
});
