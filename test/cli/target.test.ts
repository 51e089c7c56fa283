/** Which agent and which token: --url and $GOVIRTHOST_URL, the token from the environment or a file. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_URL, UsageError, agentToken, agentUrl } from '../../src/cli/target.ts';

test('the URL: the flag, else the environment, else the agent\'s default; a bare host:port is http', () => {
  assert.equal(agentUrl(undefined, {}).href, `${DEFAULT_URL}/`);
  assert.equal(agentUrl(undefined, { GOVIRTHOST_URL: 'https://kvm1:8443' }).href, 'https://kvm1:8443/');
  assert.equal(agentUrl('kvm2:8080', { GOVIRTHOST_URL: 'https://kvm1:8443' }).href, 'http://kvm2:8080/');
  for (const bad of ['ftp://x', 'http://user:pw@x', 'http://[bad']) assert.throws(() => agentUrl(bad, {}), UsageError, bad);
});

test('the token: a --token-file, else $GOVIRTHOST_TOKEN, else $GOVIRTHOST_TOKEN_FILE, else ~/.config/govirthost/token', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gvh-cli-token-'));
  try {
    const write = (rel: string, text: string, mode = 0o600) => {
      const file = path.join(dir, rel);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text, { mode });
      return file;
    };
    const warnings: string[] = [];
    const warn = (w: string) => { warnings.push(w); };
    const flagFile = write('flag', 'from-flag\n');
    const envFile = write('env', 'from-env-file');
    write('.config/govirthost/token', 'from-home');
    assert.equal(agentToken(flagFile, { GOVIRTHOST_TOKEN: 'from-env' }, warn), 'from-flag');
    assert.equal(agentToken(undefined, { GOVIRTHOST_TOKEN: 'from-env', GOVIRTHOST_TOKEN_FILE: envFile }, warn), 'from-env');
    assert.equal(agentToken(undefined, { GOVIRTHOST_TOKEN_FILE: envFile, HOME: dir }, warn), 'from-env-file');
    assert.equal(agentToken(undefined, { HOME: dir }, warn), 'from-home');
    assert.equal(agentToken(undefined, { HOME: path.join(dir, 'none') }, warn), null);
    assert.deepEqual(warnings, []);
    assert.equal(agentToken(write('open', 'tok', 0o644), {}, warn), 'tok');
    assert.match(warnings.join(''), /readable by others/);
    assert.throws(() => agentToken(write('two', 'a b'), {}, warn), /must hold one token/);
    assert.throws(() => agentToken(write('big', 'x'.repeat(5000)), {}, warn), /too large/);
    assert.throws(() => agentToken(path.join(dir, 'missing'), {}, warn), /ENOENT/);
    assert.throws(() => agentToken(dir, {}, warn), /not a regular file/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
