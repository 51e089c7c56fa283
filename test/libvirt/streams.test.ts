/**
 * Streams against the wire-level fake: data both ways with the call's proc and serial, chunking,
 * early data, finish and abort handshakes, libvirt's error, a reader that falls behind, and a
 * connection that drops under an open stream. The real console is tested in test/guest/.
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LibvirtClient } from '../../src/libvirt/client.ts';
import { LibvirtError, LibvirtUnavailableError } from '../../src/libvirt/errors.ts';
import { PacketStatus, type Packet } from '../../src/libvirt/packet.ts';
import { Proc } from '../../src/libvirt/procedures.ts';
import { STREAM_CHUNK_MAX, StreamOverrunError, type LibvirtStream } from '../../src/libvirt/stream.ts';
import { writeRemoteError } from '../../src/libvirt/types.ts';
import { XdrWriter } from '../../src/libvirt/xdr.ts';
import { FakeLibvirtd, type FakePeer } from '../support/fake-libvirtd.ts';
import { waitUntil } from '../support/wait.ts';

const fast = { callTimeoutMs: 2_000, connectTimeoutMs: 1_000, backoffInitialMs: 20, backoffMaxMs: 100, keepalive: null };
const DOM = { name: 'guest', uuid: Buffer.alloc(16, 7), id: 3 };
const OPEN_CONSOLE = 201;

function errorPayload(message: string): Buffer {
  const w = new XdrWriter();
  writeRemoteError(w, { code: 38, domain: 38, message, level: 2, str1: message, str2: null, str3: null, int1: -1, int2: -1 });
  return w.toBuffer();
}

describe('libvirt streams against a wire-level fake', () => {
  let fake: FakeLibvirtd;
  let client: LibvirtClient;
  let opened: { call: Packet; peer: FakePeer } | null;

  beforeEach(async () => {
    fake = new FakeLibvirtd();
    opened = null;
    // Like libvirtd: the reply, then data right behind it, before the client has a listener.
    fake.handlers.set(OPEN_CONSOLE, (call, peer) => {
      opened = { call, peer };
      setImmediate(() => fake.sendStream(peer, call, PacketStatus.CONTINUE, Buffer.from('login: ')));
      return { ok: Buffer.alloc(0) };
    });
    await fake.listen();
    client = new LibvirtClient(fake.uri, fast);
    await client.connect();
  });
  afterEach(async () => {
    await client.close();
    await fake.close();
  });

  async function open(maxQueuedBytes?: number): Promise<LibvirtStream> {
    const { stream } = await client.openStream(Proc.DOMAIN_OPEN_CONSOLE, { dom: DOM, devName: null, flags: 0 }, { maxQueuedBytes });
    return stream;
  }

  test('data that came right behind the reply reaches the first listener', async () => {
    const stream = await open();
    await waitUntil(() => stream.queuedBytes > 0, 2_000);
    const got: string[] = [];
    stream.onData((c) => got.push(c.toString()));
    assert.deepEqual(got, ['login: ']);
  });

  test('writes go out as STREAM packets with the call\'s proc and serial, in chunks libvirtd accepts', async () => {
    const stream = await open();
    const data = Buffer.alloc(STREAM_CHUNK_MAX * 2 + 10);
    for (let i = 0; i < data.length; i++) data[i] = i % 251;
    await stream.write(data);
    await waitUntil(() => opened!.peer.streams.length === 3, 2_000);
    const packets = opened!.peer.streams;
    assert.deepEqual(packets.map((p) => p.payload.length), [STREAM_CHUNK_MAX, STREAM_CHUNK_MAX, 10]);
    for (const p of packets) {
      assert.equal(p.proc, OPEN_CONSOLE);
      assert.equal(p.serial, opened!.call.serial);
      assert.equal(p.status, PacketStatus.CONTINUE);
    }
    assert.deepEqual(Buffer.concat(packets.map((p) => p.payload)), data);
  });

  test('finish sends an empty OK and ends when libvirtd confirms', async () => {
    fake.onStream = (p, peer) => { if (p.status === PacketStatus.OK) fake.sendStream(peer, p, PacketStatus.OK); };
    const stream = await open();
    assert.deepEqual(await stream.finish(), { kind: 'finished' });
    assert.equal(opened!.peer.streams.at(-1)!.payload.length, 0);
    await assert.rejects(stream.write(Buffer.from('late')), LibvirtUnavailableError);
  });

  test('abort sends an empty ERROR and ends when libvirtd confirms', async () => {
    fake.onStream = (p, peer) => { if (p.status === PacketStatus.ERROR) fake.sendStream(peer, p, PacketStatus.OK); };
    const stream = await open();
    assert.deepEqual(await stream.abort(), { kind: 'aborted' });
    assert.equal(opened!.peer.streams.at(-1)!.status, PacketStatus.ERROR);
  });

  test('the end of data from libvirtd, as an empty OK or an empty CONTINUE, ends the stream', async () => {
    for (const status of [PacketStatus.OK, PacketStatus.CONTINUE]) {
      const stream = await open();
      fake.sendStream(opened!.peer, opened!.call, status);
      assert.deepEqual(await stream.ended, { kind: 'eof' });
    }
  });

  test('libvirt\'s error ends the stream with its message, and a write after it throws it', async () => {
    const stream = await open();
    fake.sendStream(opened!.peer, opened!.call, PacketStatus.ERROR, errorPayload('stream had unexpected termination'));
    const end = await stream.ended;
    assert.equal(end.kind, 'error');
    assert.ok(end.kind === 'error' && end.error instanceof LibvirtError);
    assert.match(end.kind === 'error' ? end.error.message : '', /unexpected termination/);
    await assert.rejects(stream.write(Buffer.from('x')), /unexpected termination/);
  });

  test('a reader that falls behind gets StreamOverrunError and libvirtd gets an abort', async () => {
    const stream = await open(1_000);
    const chunk = Buffer.alloc(400);
    for (let i = 0; i < 5; i++) fake.sendStream(opened!.peer, opened!.call, PacketStatus.CONTINUE, chunk);
    const end = await stream.ended;
    assert.ok(end.kind === 'error' && end.error instanceof StreamOverrunError);
    await waitUntil(() => opened!.peer.streams.some((p) => p.status === PacketStatus.ERROR), 2_000);
  });

  test('a reader that keeps up (consumed) is never cut off', async () => {
    const stream = await open(1_000);
    let received = 0;
    stream.onData((c) => { received += c.length; stream.consumed(c.length); });
    for (let i = 0; i < 20; i++) fake.sendStream(opened!.peer, opened!.call, PacketStatus.CONTINUE, Buffer.alloc(400));
    await waitUntil(() => received === 20 * 400 + 'login: '.length, 2_000);
    assert.equal(stream.isOpen, true);
  });

  test('a dropped connection fails every open stream at once; the client reconnects', async () => {
    const a = await open();
    const b = await open();
    fake.dropAll();
    const [endA, endB] = await Promise.all([a.ended, b.ended]);
    assert.equal(endA.kind, 'lost');
    assert.equal(endB.kind, 'lost');
    await assert.rejects(a.write(Buffer.from('x')), LibvirtUnavailableError);
    await waitUntil(() => client.state === 'connected', 3_000);
  });

  test('an error reply to the opening call rejects with libvirt\'s error and leaves no stream behind', async () => {
    fake.handlers.set(OPEN_CONSOLE, () => ({ error: { code: 55, domain: 10, message: 'Requested operation is not valid: domain is not running' } }));
    await assert.rejects(open(), (err: unknown) => err instanceof LibvirtError && err.code === 55);
  });

  test('a download that ended before anyone listened is still collected whole; a bound aborts a larger one', async () => {
    const stream = await open();
    fake.sendStream(opened!.peer, opened!.call, PacketStatus.CONTINUE, Buffer.from('PNG-bytes'));
    fake.sendStream(opened!.peer, opened!.call, PacketStatus.OK);
    assert.deepEqual(await stream.ended, { kind: 'eof' });
    assert.equal((await stream.collect(1_000)).toString(), 'login: PNG-bytes');
    const big = await open();
    fake.sendStream(opened!.peer, opened!.call, PacketStatus.CONTINUE, Buffer.alloc(2_000));
    await assert.rejects(big.collect(1_000), StreamOverrunError);
  });
});
