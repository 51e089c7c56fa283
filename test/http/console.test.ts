/**
 * GET /v1/domains/{name}/console: a real guest's serial console over a WebSocket, through the
 * agent's own server on loopback. Refusals come before the upgrade, as JSON envelopes; a command
 * typed runs; one session at a time, force takes over and the first is told why; the guest
 * stopping closes the session with its reason; each session is an audit record with its bytes.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import WebSocket from 'ws';
import { CloseCode } from '../../src/model/channel.ts';
import type { DomainRef } from '../../src/libvirt/index.ts';
import { buildTestApp, type TestApp } from '../support/app.ts';
import { NET_PREFIX, ensureNetwork, freeAddress } from '../support/guest-infra.ts';
import { uniqueName } from '../support/guest.ts';
import { hostsCommand, removeDomain } from '../support/hosts.ts';
import { linuxGuestImage, linuxGuestXml } from '../support/linux-guest.ts';
import { serveOnLoopback, type Served } from '../support/served.ts';
import { sleep } from '../support/wait.ts';

const BOOT_MS = 120_000;

/** An open console session: what it printed, how it closed. */
interface Session {
  ws: WebSocket;
  text(): string;
  closed: Promise<{ code: number; reason: string }>;
}

/** A refused upgrade: its status and JSON body. */
interface Refusal { status: number; body: { error: { code: string; message: string; fields?: Array<{ field: string }> } } }

describe('the console over a WebSocket', () => {
  let t: TestApp;
  let served: Served;
  let dom: DomainRef;
  const name = uniqueName('wsconsole');

  const wsUrl = (domain: string, query = '') => `${served.url.replace('http', 'ws')}/v1/domains/${encodeURIComponent(domain)}/console${query}`;
  const auth = (role: 'viewer' | 'operator' | 'admin' | null): Record<string, string> => (role ? { Authorization: `Bearer ${t.tokens[role]}` } : {});

  /** Opens a session, or resolves with the refusal the agent answered instead of the upgrade. */
  function connect(domain: string, role: 'viewer' | 'operator' | 'admin' | null = 'operator', query = ''): Promise<Session | Refusal> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(wsUrl(domain, query), { headers: auth(role) });
      let text = '';
      const closed = new Promise<{ code: number; reason: string }>((done) => ws.on('close', (code, reason) => done({ code, reason: reason.toString() })));
      ws.on('message', (data: Buffer) => { text += data.toString('latin1'); });
      ws.on('open', () => resolve({ ws, text: () => text, closed }));
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => { body += c.toString(); });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(body) }));
      });
      ws.on('error', (err) => { if (!('status' in err)) reject(err); });
    });
  }

  async function session(domain: string, query = ''): Promise<Session> {
    const s = await connect(domain, 'operator', query);
    assert.ok('ws' in s, `refused: ${JSON.stringify(s)}`);
    return s;
  }

  async function refused(domain: string, role: 'viewer' | 'operator' | 'admin' | null = 'operator', query = ''): Promise<Refusal> {
    const s = await connect(domain, role, query);
    assert.ok(!('ws' in s), 'the upgrade was accepted');
    return s;
  }

  /** Types `line` until the session's output matches `expect` (the shell may still be booting). */
  async function typeUntil(s: Session, line: string, expect: RegExp, timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      s.ws.send(`${line}\n`);
      for (let i = 0; i < 20 && !expect.test(s.text()); i++) await sleep(100);
      if (expect.test(s.text())) return;
    }
    throw new Error(`the console never showed ${expect}; it showed:\n${s.text().slice(-1500)}`);
  }

  before(async () => {
    t = await buildTestApp({ uriVar: 'GVH_A_URI', withTokens: true });
    served = await serveOnLoopback(t);
    const net = await ensureNetwork(t.deps.libvirt, 'default', 'gvhbr0', NET_PREFIX);
    const { mac } = await freeAddress(t.deps.libvirt, net);
    dom = await t.deps.libvirt.defineXml(linuxGuestXml(name, { image: await linuxGuestImage(), mac }));
  });
  after(async () => {
    await hostsCommand('start-daemon', 'a').catch(() => {}); // never leave the shared host without its daemon
    await t.deps.libvirt.waitConnected(30_000).catch(() => {});
    await removeDomain(t.deps.libvirt, name);
    await served.close();
    await t.close();
  });

  test('a plain GET is 426 UPGRADE_REQUIRED in the envelope', async () => {
    const res = await fetch(`${served.url}/v1/domains/${name}/console`, { headers: auth('operator') });
    assert.equal(res.status, 426);
    assert.equal(((await res.json()) as Refusal['body']).error.code, 'UPGRADE_REQUIRED');
  });

  test('refusals come before the upgrade, each with its envelope', async () => {
    assert.equal((await refused(name, null)).status, 401);
    const viewer = await refused(name, 'viewer');
    assert.deepEqual([viewer.status, viewer.body.error.code], [403, 'FORBIDDEN']);
    const missing = await refused('no-such-guest');
    assert.deepEqual([missing.status, missing.body.error.code, missing.body.error.fields?.[0]?.field], [404, 'NOT_FOUND', 'domain']);
    const badForce = await refused(name, 'operator', '?force=yes');
    assert.deepEqual([badForce.status, badForce.body.error.code, badForce.body.error.fields?.[0]?.field], [400, 'VALIDATION_FAILED', 'force']);
    const unknownParam = await refused(name, 'operator', '?x=1');
    assert.equal(unknownParam.status, 400);
    const stopped = await refused(name);
    assert.deepEqual([stopped.status, stopped.body.error.code], [409, 'CONFLICT'], JSON.stringify(stopped.body));
  });

  test('an upgrade asked by a POST, or with a Host that makes no URL, is a 400 envelope; any other GET upgrade is answered as a plain request', async () => {
    const raw = (head: string) => new Promise<string>((resolve) => {
      const socket = net.connect(Number(new URL(served.url).port), '127.0.0.1', () => socket.end(head));
      let text = '';
      socket.on('data', (d) => { text += d; });
      socket.on('close', () => resolve(text));
    });
    const post = await raw(`POST /v1/domains/${name}/actions/start HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nContent-Length: 2\r\n\r\n{}`);
    assert.match(post, /^HTTP\/1\.1 400 /);
    assert.match(post, /"code":"BAD_REQUEST"/);
    const badHost = await raw(`GET /healthz HTTP/1.1\r\nHost: a b\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n`);
    assert.match(badHost, /^HTTP\/1\.1 400 /);
    const h2c = await raw('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n\r\n');
    assert.match(h2c, /^HTTP\/1\.1 200 [\s\S]*"status":"ok"/);
    assert.equal((await t.deps.libvirt.domainState(dom)).stateText, 'shut off', 'the POST ran nothing');
  });

  test('a cross-site page cannot open the dashboard\'s console', async () => {
    await t.deps.libvirt.start(dom);
    const res = await new Promise<number>((resolve) => {
      const req = http.get(`${served.url}/ui/api/domains/${name}/console`, {
        headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', Origin: 'https://evil.example', ...auth('operator') },
      });
      req.on('response', (r) => { r.resume(); resolve(r.statusCode ?? 0); });
      req.on('upgrade', () => resolve(101));
    });
    assert.equal(res, 403);
  });

  let first: Session;

  test('a command typed into the session runs and its output comes back', async () => {
    first = await session(name);
    await typeUntil(first, 'echo gvh-$((6*7))', /gvh-42/, BOOT_MS);
  });

  test('a second session is 409 naming force; with force it takes over and the first is told why', async () => {
    const busy = await refused(name);
    assert.deepEqual([busy.status, busy.body.error.code, busy.body.error.fields?.[0]?.field], [409, 'CONFLICT', 'force']);
    const second = await session(name, '?force=true');
    const closed = await Promise.race([first.closed, sleep(10_000).then(() => null)]);
    assert.deepEqual(closed, { code: CloseCode.TAKEN_OVER, reason: 'another session took the console over' });
    await typeUntil(second, 'echo taken-$((2+3))', /taken-5/, 30_000);
    first = second;
  });

  test('each session is an audit record: who, how it ended, the bytes both ways', async () => {
    const res = await fetch(`${served.url}/v1/history?action=console&domain=${name}`, { headers: auth('admin') });
    const { records } = (await res.json()) as { records: Array<{ outcome: string; actor: string; result: Record<string, unknown> | null }> };
    const ended = records.filter((r) => r.result?.end === 'taken-over');
    assert.equal(ended.length, 1, JSON.stringify(records));
    const r = ended[0]!;
    assert.equal(r.outcome, 'succeeded');
    assert.equal(r.actor, 'test-operator');
    assert.ok((r.result!.bytesIn as number) > 0 && (r.result!.bytesOut as number) > (r.result!.bytesIn as number), JSON.stringify(r.result));
    assert.equal(r.result!.forced, false);
    assert.equal(records.filter((x) => x.outcome === 'rejected').length >= 2, true, 'the refused attempts are recorded too');
  });

  test('the guest stopping closes the session with its reason within a second', async () => {
    const began = Date.now();
    await t.deps.libvirt.destroy(dom);
    const closed = await Promise.race([first.closed, sleep(5_000).then(() => null)]);
    assert.deepEqual(closed, { code: CloseCode.GUEST_STOPPED, reason: 'the guest stopped' });
    assert.ok(Date.now() - began < 1_000, `closed ${Date.now() - began} ms after the guest stopped`);
  });

  test('killing libvirtd during a session closes it with the reason within a second; its record is closed', async () => {
    dom = await t.deps.libvirt.start(dom);
    const s = await session(name);
    await typeUntil(s, 'echo alive-$((3*3))', /alive-9/, BOOT_MS);
    const began = Date.now();
    await hostsCommand('kill-daemon', 'a');
    const closed = await Promise.race([s.closed, sleep(5_000).then(() => null)]);
    assert.deepEqual(closed, { code: CloseCode.LIBVIRT_LOST, reason: 'the agent lost its connection to libvirt' });
    assert.ok(Date.now() - began < 1_000, `closed ${Date.now() - began} ms after libvirtd was killed`);
    const res = await fetch(`${served.url}/v1/history?action=console&domain=${name}`, { headers: auth('admin') });
    const { records } = (await res.json()) as { records: Array<{ outcome: string; finishedAt: number | null; result: Record<string, unknown> | null }> };
    const lost = records.filter((r) => r.result?.end === 'libvirt-lost');
    assert.equal(lost.length, 1, JSON.stringify(records.slice(0, 3)));
    assert.notEqual(lost[0]!.finishedAt, null);
    await hostsCommand('start-daemon', 'a');
    await t.deps.libvirt.waitConnected(30_000);
  });
});
