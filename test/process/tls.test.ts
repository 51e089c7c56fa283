/** The agent as a process serving HTTPS from a certificate and key, and refusing a public address without tokens. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { hostEnv } from '../support/hosts.ts';
import { freePort } from '../support/process.ts';
import { sleep } from '../support/wait.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

function agent(args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
}

function get(url: string, ca: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    https.get(url, { ca }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

describe('HTTPS', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gvh-tls-'));
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  let proc: ChildProcess;
  let port = 0;

  before(async () => {
    port = await freePort();
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
    proc = agent(['--libvirt-uri', hostEnv('GVH_A_TEST_URI'), '--db', path.join(dir, 'a.db'), '--listen', `127.0.0.1:${port}`,
      '--tls-cert', cert, '--tls-key', key, '--log-level', 'warn']);
  });
  after(() => {
    proc.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('serves the seed protocol over HTTPS with the given certificate', async () => {
    const ca = fs.readFileSync(cert);
    let answer: { status: number; body: string } | null = null;
    // Until libvirt is connected the agent answers 503; wait for the first real answer.
    for (let i = 0; i < 100 && answer?.status !== 200; i++) {
      answer = await get(`https://127.0.0.1:${port}/?target=vm`, ca).catch(() => null);
      if (answer?.status !== 200) await sleep(100);
    }
    assert.ok(answer, 'the agent answered over TLS');
    assert.equal(answer.status, 200);
    assert.ok(Array.isArray(JSON.parse(answer.body).domains));
  });

  test('refuses to listen on a public address without tokens, naming the setting', async () => {
    const p = agent(['--listen', `0.0.0.0:${await freePort()}`, '--db', path.join(dir, 'b.db')]);
    let stderr = '';
    p.stderr!.on('data', (d) => { stderr += d; });
    const code = await new Promise<number | null>((resolve) => p.once('exit', resolve));
    assert.equal(code, 2);
    assert.match(stderr, /--listen/);
    assert.match(stderr, /token/i);
  });
});
