/**
 * Bearer tokens: created and stored hashed (mode 0600, atomic), verified by hash, malformed files
 * rejected with the entry named, the role matrix, and the `govirthost token` CLI.
 */
import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ROLES, TokenFileError, TokenVerifier, createToken, hashToken, loadTokens, parseTokenFile, roleAllows, type Role,
} from '../../src/auth/tokens.ts';
import { runTokenCli, type CliIo } from '../../src/auth/cli.ts';

let dir = '';
let file = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gvh-tokens-'));
  file = join(dir, 'tokens.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const ENTRY = { name: 'ops-alice', role: 'operator', hash: `sha256:${'a'.repeat(64)}`, createdAt: '2024-05-01T10:00:00.000Z' };

/** Asserts `fn` throws a TokenFileError whose message matches every pattern. */
function rejectsFile(fn: () => unknown, ...patterns: RegExp[]): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof TokenFileError, `expected TokenFileError, got ${String(err)}`);
    for (const p of patterns) assert.match(err.message, p);
    return true;
  });
}

describe('createToken', () => {
  test('returns a gvh_ token; the file holds only its hash, mode 0600', () => {
    const token = createToken(file, 'ops-alice', 'operator', new Date('2024-05-01T10:00:00Z'));
    assert.match(token, /^gvh_[A-Za-z0-9_-]{43}$/);
    const text = readFileSync(file, 'utf8');
    assert.ok(!text.includes(token), 'the token text is not in the file');
    assert.ok(!text.includes(token.slice(4)), 'nor its random part');
    assert.deepEqual(JSON.parse(text), {
      tokens: [{ name: 'ops-alice', role: 'operator', hash: hashToken(token), createdAt: '2024-05-01T10:00:00.000Z' }],
    });
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(dir), ['tokens.json'], 'no temporary file left behind');
  });

  test('appends, keeps the existing entries and the file mode', () => {
    const first = createToken(file, 'viewer-1', 'viewer');
    chmodSync(file, 0o640);
    const second = createToken(file, 'admin.bob', 'admin');
    assert.notEqual(first, second);
    const entries = loadTokens(file);
    assert.deepEqual(entries.map((e) => [e.name, e.role]), [['viewer-1', 'viewer'], ['admin.bob', 'admin']]);
    assert.equal(statSync(file).mode & 0o777, 0o640);
  });

  test('a new file is 0600 whatever the umask', () => {
    const old = process.umask(0);
    try {
      createToken(file, 'a', 'viewer');
    } finally {
      process.umask(old);
    }
    assert.equal(statSync(file).mode & 0o777, 0o600);
  });

  test('rewriting keeps the file owner (root adding a token to a service user\'s file)', (t) => {
    if (process.getuid?.() !== 0) return t.skip('needs root to chown');
    createToken(file, 'a', 'viewer');
    chownSync(file, 65534, 65534);
    createToken(file, 'b', 'viewer');
    assert.equal(statSync(file).uid, 65534);
    assert.equal(statSync(file).gid, 65534);
  });

  test('refuses a duplicate name and leaves the file unchanged', () => {
    createToken(file, 'ops-alice', 'operator');
    const before = readFileSync(file, 'utf8');
    rejectsFile(() => createToken(file, 'ops-alice', 'admin'), /already exists/, /ops-alice/);
    assert.equal(readFileSync(file, 'utf8'), before);
  });

  test('refuses a bad name or role', () => {
    for (const name of ['', 'Alice', '-x', '.x', 'a b', 'a/b', 'x'.repeat(65)]) {
      rejectsFile(() => createToken(file, name, 'viewer'), /must match/);
    }
    assert.doesNotThrow(() => createToken(file, 'x'.repeat(64), 'viewer'));
    rejectsFile(() => createToken(file, 'ok', 'root' as Role), /role 'root' must be one of viewer, operator, admin/);
  });

  test('refuses to append to a malformed file', () => {
    writeFileSync(file, '{"tokens": [ {"name": "x"} ]}');
    rejectsFile(() => createToken(file, 'new', 'viewer'), /tokens\[0\] \("x"\)\.role/);
  });
});

describe('TokenVerifier', () => {
  test('accepts the token, rejects a changed one and strangers', () => {
    const token = createToken(file, 'ops-alice', 'operator');
    createToken(file, 'viewer-bob', 'viewer');
    const verifier = new TokenVerifier(loadTokens(file));
    assert.equal(verifier.size, 2);
    assert.deepEqual(verifier.verify(token), { name: 'ops-alice', role: 'operator' });
    const last = token.at(-1) === 'A' ? 'B' : 'A';
    assert.equal(verifier.verify(token.slice(0, -1) + last), null);
    assert.equal(verifier.verify(token.slice(0, -1)), null);
    assert.equal(verifier.verify(`${token}x`), null);
    assert.equal(verifier.verify(token.slice(4)), null);
    assert.equal(verifier.verify(''), null);
    assert.equal(verifier.verify(hashToken(token)), null);
    assert.equal(verifier.verify(`gvh_${'x'.repeat(1000)}`), null);
  });

  test('an empty verifier accepts nothing', () => {
    assert.equal(new TokenVerifier([]).verify('gvh_abc'), null);
  });
});

describe('malformed token files', () => {
  const cases: [string, unknown, RegExp][] = [
    ['not an object', 42, /top level: must be an object with a "tokens" array/],
    ['no tokens key', { token: [] }, /: tokens: is missing/],
    ['tokens not an array', { tokens: {} }, /tokens: must be an array/],
    ['bad role', { tokens: [ENTRY, { ...ENTRY, name: 'bob', role: 'root' }] }, /tokens\[1\] \("bob"\)\.role: must be one of viewer, operator, admin/],
    ['bad hash', { tokens: [{ ...ENTRY, hash: 'md5:abc' }] }, /tokens\[0\] \("ops-alice"\)\.hash: must be sha256:/],
    ['bad name', { tokens: [{ ...ENTRY, name: 'Bad Name' }] }, /tokens\[0\] \("Bad Name"\)\.name: must match/],
    ['bad date', { tokens: [{ ...ENTRY, createdAt: 'yesterday' }] }, /tokens\[0\] \("ops-alice"\)\.createdAt: must be an ISO 8601 timestamp/],
    ['missing field', { tokens: [{ name: 'x', role: 'admin', createdAt: ENTRY.createdAt }] }, /tokens\[0\] \("x"\)\.hash: is missing/],
    ['entry not an object', { tokens: [42] }, /tokens\[0\]: /],
    ['duplicate name', { tokens: [ENTRY, { ...ENTRY, hash: `sha256:${'b'.repeat(64)}` }] }, /tokens\[1\] \("ops-alice"\): name appears twice/],
    ['duplicate hash', { tokens: [ENTRY, { ...ENTRY, name: 'other' }] }, /tokens\[1\] \("other"\): hash appears twice/],
  ];
  for (const [what, json, pattern] of cases) {
    test(what, () => rejectsFile(() => parseTokenFile(JSON.stringify(json), '/etc/t.json'), /tokens file \/etc\/t\.json/, pattern));
  }

  test('not JSON, and a missing file', () => {
    writeFileSync(file, '{"tokens": [');
    rejectsFile(() => loadTokens(file), /is not valid JSON/, new RegExp(file));
    rejectsFile(() => loadTokens(join(dir, 'nope.json')), /cannot read tokens file .*nope\.json.*ENOENT/);
  });

  test('a valid file loads', () => {
    assert.deepEqual(parseTokenFile(JSON.stringify({ tokens: [ENTRY] }), 'x'), [ENTRY]);
  });
});

describe('roleAllows', () => {
  test('viewer < operator < admin', () => {
    const expected: Record<Role, Record<Role, boolean>> = {
      viewer: { viewer: true, operator: false, admin: false },
      operator: { viewer: true, operator: true, admin: false },
      admin: { viewer: true, operator: true, admin: true },
    };
    for (const role of ROLES) {
      for (const required of ROLES) assert.equal(roleAllows(role, required), expected[role][required], `${role} → ${required}`);
    }
  });
});

/** Runs the CLI with captured output. */
async function cli(argv: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { stdout: (t) => { out += t; }, stderr: (t) => { err += t; }, env };
  const code = await runTokenCli(argv, io);
  return { code, out, err };
}

describe('govirthost token', () => {
  test('create prints the token once, with a note that it will not be shown again', async () => {
    const r = await cli(['create', '--name', 'ops-alice', '--role', 'operator', '--tokens-file', file]);
    assert.equal(r.code, 0);
    assert.match(r.out, /^gvh_[A-Za-z0-9_-]{43}\n$/);
    assert.match(r.err, /will not be shown again/);
    const token = r.out.trim();
    assert.deepEqual(new TokenVerifier(loadTokens(file)).verify(token), { name: 'ops-alice', role: 'operator' });
    assert.ok(!readFileSync(file, 'utf8').includes(token));
  });

  test('list shows names, roles and dates, never hashes', async () => {
    await cli(['create', '--name', 'ops-alice', '--role', 'operator', '--tokens-file', file]);
    await cli(['create', '--name', 'viewer-bob', '--role', 'viewer'], { GOVIRTHOST_TOKENS_FILE: file });
    const r = await cli(['list', '--tokens-file', file]);
    assert.equal(r.code, 0);
    const lines = r.out.trim().split('\n');
    assert.match(lines[0] ?? '', /^NAME\s+ROLE\s+CREATED$/);
    assert.match(lines[1] ?? '', /^ops-alice\s+operator\s+\d{4}-\d\d-\d\dT/);
    assert.match(lines[2] ?? '', /^viewer-bob\s+viewer\s+\d{4}-/);
    assert.ok(!r.out.includes('sha256'));
    for (const entry of loadTokens(file)) assert.ok(!r.out.includes(entry.hash.slice(7, 20)));
  });

  test('list of an empty file', async () => {
    writeFileSync(file, '{"tokens": []}');
    const r = await cli(['list', '--tokens-file', file]);
    assert.equal(r.code, 0);
    assert.match(r.out, /no tokens/);
  });

  test('usage errors exit 2 with usage on stderr', async () => {
    for (const argv of [[], ['rotate'], ['create', '--role', 'admin', '--tokens-file', file], ['create', '--name', 'x', '--tokens-file', file],
      ['create', '--name', 'x', '--role', 'root', '--tokens-file', file], ['create', '--name', 'x', '--role', 'admin'],
      ['list', '--bogus'], ['list']]) {
      const r = await cli(argv);
      assert.equal(r.code, 2, argv.join(' '));
      assert.equal(r.out, '');
      assert.match(r.err, /Usage: govirthost token/);
    }
  });

  test('failures exit 1 with the reason on stderr', async () => {
    await cli(['create', '--name', 'dup', '--role', 'admin', '--tokens-file', file]);
    const dup = await cli(['create', '--name', 'dup', '--role', 'admin', '--tokens-file', file]);
    assert.equal(dup.code, 1);
    assert.equal(dup.out, '');
    assert.match(dup.err, /already exists/);
    const missing = await cli(['list', '--tokens-file', join(dir, 'missing.json')]);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /cannot read tokens file/);
  });

  test('help', async () => {
    const r = await cli(['help']);
    assert.equal(r.code, 0);
    assert.match(r.out, /token create --name NAME --role viewer\|operator\|admin/);
  });
});
