import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LibvirtClient, type ConnectionState } from '../../src/libvirt/client.ts';
import { LibvirtTimeoutError } from '../../src/libvirt/connection.ts';
import { LibvirtError, LibvirtUnavailableError, isNotFound } from '../../src/libvirt/errors.ts';
import { Proc } from '../../src/libvirt/procedures.ts';
import { PacketType, Program, encodePacket } from '../../src/libvirt/packet.ts';
import { XdrWriter } from '../../src/libvirt/xdr.ts';
import { writeDomain } from '../../src/libvirt/types.ts';
import { FakeLibvirtd, stringReply } from '../support/fake-libvirtd.ts';
import { sleep } from '../support/wait.ts';

const HOSTNAME = 59;
const fast = { callTimeoutMs: 2_000, connectTimeoutMs: 1_000, backoffInitialMs: 20, backoffMaxMs: 100, keepalive: null };

function waitState(client: LibvirtClient, want: ConnectionState, ms = 3_000): Promise<void> {
  if (client.state === want) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { off(); reject(new Error(`state stayed ${client.state}, wanted ${want}`)); }, ms);
    const off = client.onStateChange((s) => { if (s === want) { clearTimeout(timer); off(); resolve(); } });
  });
}

describe('client against a wire-level fake', () => {
  let fake: FakeLibvirtd;
  let client: LibvirtClient;

  beforeEach(async () => {
    fake = new FakeLibvirtd();
    await fake.listen();
  });
  afterEach(async () => {
    await client?.close();
    await fake.close();
  });

  test('handshake sends AUTH_LIST, keepalive feature, then OPEN with the URI without transport', async () => {
    client = new LibvirtClient(fake.uri, { ...fast, keepalive: { intervalMs: 1_000, count: 3 } });
    await client.connect();
    const procs = fake.last.calls.map((c) => c.proc);
    assert.deepEqual(procs, [66, 60, 1]);
    const open = fake.last.calls[2]!.payload;
    assert.equal(open.subarray(8, 8 + 15).toString(), 'test:///default');
    assert.equal(client.state, 'connected');
  });

  test('replies that come back out of order reach their own callers', async () => {
    let n = 0;
    const held: Array<() => void> = [];
    fake.handlers.set(HOSTNAME, (call) => new Promise((resolve) => {
      held.push(() => resolve(stringReply(`reply-to-${call.serial}`)));
      if (++n === 5) held.reverse().forEach((release) => release());
    }));
    client = new LibvirtClient(fake.uri, fast);
    await client.connect();
    const results = await Promise.all(Array.from({ length: 5 }, () => client.call(Proc.CONNECT_GET_HOSTNAME, undefined)));
    const serials = fake.last.calls.filter((c) => c.proc === HOSTNAME).map((c) => `reply-to-${c.serial}`);
    assert.deepEqual(results, serials);
  });

  test('an error reply becomes a LibvirtError with code, domain and message', async () => {
    fake.handlers.set(23, () => ({ error: { code: 42, domain: 12, message: 'Domain not found' } }));
    client = new LibvirtClient(fake.uri, fast);
    await client.connect();
    const err = await client.call(Proc.DOMAIN_LOOKUP_BY_NAME, 'nope').catch((e: unknown) => e);
    assert.ok(err instanceof LibvirtError);
    assert.equal(err.code, 42);
    assert.equal(err.domain, 12);
    assert.equal(err.message, 'Domain not found');
    assert.ok(isNotFound(err));
    assert.equal(client.state, 'connected', 'an error reply does not hurt the connection');
  });

  test('peer closing mid-call rejects every pending call within a second, then the client reconnects', async () => {
    fake.handlers.set(HOSTNAME, () => ({ silent: true }));
    client = new LibvirtClient(fake.uri, fast);
    await client.connect();
    const calls = Array.from({ length: 10 }, () => client.call(Proc.CONNECT_GET_HOSTNAME, undefined).then(() => null, (e: unknown) => e));
    await sleep(50);
    const t0 = Date.now();
    fake.dropAll();
    const errors = await Promise.all(calls);
    assert.ok(Date.now() - t0 < 1_000, 'rejected promptly');
    for (const e of errors) assert.ok(e instanceof LibvirtUnavailableError, String(e));
    fake.handlers.set(HOSTNAME, () => stringReply('back'));
    await waitState(client, 'connected');
    assert.equal(await client.call(Proc.CONNECT_GET_HOSTNAME, undefined), 'back');
  });

  test('calls made while reconnecting fail fast with LibvirtUnavailableError', async () => {
    client = new LibvirtClient(fake.uri, { ...fast, backoffInitialMs: 500, backoffMaxMs: 500 });
    await client.connect();
    fake.dropAll();
    await waitState(client, 'reconnecting');
    const t0 = Date.now();
    await assert.rejects(client.call(Proc.CONNECT_GET_HOSTNAME, undefined), LibvirtUnavailableError);
    assert.ok(Date.now() - t0 < 50);
  });

  test('a call with no reply times out with LibvirtTimeoutError; the connection stays usable', async () => {
    fake.handlers.set(HOSTNAME, () => ({ silent: true }));
    client = new LibvirtClient(fake.uri, fast);
    await client.connect();
    await assert.rejects(client.call(Proc.CONNECT_GET_HOSTNAME, undefined, { timeoutMs: 100 }), LibvirtTimeoutError);
    fake.handlers.set(HOSTNAME, () => stringReply('still here'));
    assert.equal(await client.call(Proc.CONNECT_GET_HOSTNAME, undefined), 'still here');
  });

  test('keepalive declares a silent peer dead and rejects pending calls', async () => {
    fake.answerPings = false;
    fake.handlers.set(HOSTNAME, () => ({ silent: true }));
    client = new LibvirtClient(fake.uri, { ...fast, callTimeoutMs: 0, keepalive: { intervalMs: 50, count: 3 } });
    await client.connect();
    const t0 = Date.now();
    const err = await client.call(Proc.CONNECT_GET_HOSTNAME, undefined).catch((e: unknown) => e);
    assert.ok(err instanceof LibvirtUnavailableError);
    assert.match((err as Error).message, /keepalive/);
    assert.ok(Date.now() - t0 < 1_000, `declared dead after ${Date.now() - t0} ms`);
    assert.ok(fake.peers[0]!.pings >= 3, 'pinged before giving up');
  });

  test('server PINGs are answered with PONGs', async () => {
    client = new LibvirtClient(fake.uri, fast);
    await client.connect();
    const peer = fake.last;
    peer.send(encodePacket({ prog: Program.KEEPALIVE, vers: 1, proc: 1, type: PacketType.MESSAGE, serial: 0, status: 0 }));
    await sleep(50);
    assert.equal(peer.pongs, 1);
  });

  test('garbage bytes are a framing error: pending calls rejected, then reconnect', async () => {
    fake.handlers.set(HOSTNAME, () => ({ silent: true }));
    client = new LibvirtClient(fake.uri, fast);
    await client.connect();
    const pending = client.call(Proc.CONNECT_GET_HOSTNAME, undefined).catch((e: unknown) => e);
    await sleep(20);
    fake.last.send(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    const err = await pending;
    assert.ok(err instanceof LibvirtUnavailableError);
    assert.match((err as Error).message, /framing/);
    fake.handlers.set(HOSTNAME, () => stringReply('resynced'));
    await waitState(client, 'connected');
    assert.equal(await client.call(Proc.CONNECT_GET_HOSTNAME, undefined), 'resynced');
  });

  test('events reach the subscriber of their callback id and survive a reconnect', async () => {
    client = new LibvirtClient(fake.uri, fast);
    await client.connect();
    const seen: string[] = [];
    await client.subscribe(0, (e) => { if (e.kind === 'lifecycle') seen.push(`${e.domain.name}:${e.eventName}/${e.detailName}`); });
    const lifecycle = (callbackId: number, name: string, event: number, detail: number) => {
      const w = new XdrWriter().int(callbackId);
      writeDomain(w, { name, uuid: Buffer.alloc(16, 7), id: 3 });
      return w.int(event).int(detail).toBuffer();
    };
    fake.sendEvent(fake.last, 318, lifecycle(0, 'web1', 2, 0));
    fake.sendEvent(fake.last, 318, lifecycle(99, 'ignored', 5, 1));
    await sleep(30);
    assert.deepEqual(seen, ['web1:started/booted']);
    fake.dropAll();
    await waitState(client, 'reconnecting');
    await waitState(client, 'connected');
    await sleep(30);
    const registers = fake.last.calls.filter((c) => c.proc === 316);
    assert.equal(registers.length, 1, 'the subscription was registered again on the new connection');
    fake.sendEvent(fake.last, 318, lifecycle(1, 'web1', 5, 1));
    await sleep(30);
    assert.deepEqual(seen, ['web1:started/booted', 'web1:stopped/destroyed']);
  });

  test('connect to a missing socket rejects with LibvirtUnavailableError and state closed', async () => {
    client = new LibvirtClient('qemu+unix:///system?socket=/nonexistent/sock', fast);
    await assert.rejects(client.connect(), LibvirtUnavailableError);
    assert.equal(client.state, 'closed');
  });

  test('start() keeps retrying until the daemon appears', async () => {
    const late = new FakeLibvirtd();
    client = new LibvirtClient(late.uri, fast);
    client.start();
    await sleep(150);
    assert.equal(client.state, 'reconnecting');
    await late.listen();
    await waitState(client, 'connected');
    await client.close();
    await late.close();
  });
});
