/**
 * The console session bridge without a daemon: a LibvirtStream over a scripted transport and a
 * channel in memory. How each end closes the other, with which code and reason; the byte counts;
 * a slow reader; typed input kept only when asked, and bounded.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_BUFFERED_OUTPUT, MAX_RECORDED_INPUT, runConsoleSession, type SessionOptions } from '../../src/guest/console-session.ts';
import { PacketStatus, type Packet } from '../../src/libvirt/packet.ts';
import { LibvirtStream } from '../../src/libvirt/stream.ts';
import { CloseCode, type CallerChannel, type ChannelClose } from '../../src/model/channel.ts';

const packet = (status: number, payload = Buffer.alloc(0)): Packet => ({ prog: 0, vers: 1, proc: 201, type: 3, serial: 7, status, payload });

/** A stream whose finish and abort libvirtd confirms at once; `sent` has what the session wrote. */
function scriptedStream() {
  const sent: Array<{ status: number; bytes: Buffer }> = [];
  const stream: LibvirtStream = new LibvirtStream({
    send: (status, payload) => {
      sent.push({ status, bytes: Buffer.from(payload ?? []) });
      if (status !== PacketStatus.CONTINUE) queueMicrotask(() => stream.handlePacket(packet(PacketStatus.OK)));
      return true;
    },
    writable: () => Promise.resolve(),
    forget: () => {},
  });
  return { stream, sent };
}

/** A channel in memory: `type` sends as the caller, `hangUp` closes as the caller. */
function memoryChannel() {
  const received: Buffer[] = [];
  const listeners: Array<(b: Uint8Array) => void> = [];
  let resolveClosed: (c: ChannelClose) => void = () => {};
  const closedBy: ChannelClose[] = [];
  const channel: CallerChannel & { buffered: number } = {
    buffered: 0,
    open: () => Promise.resolve(),
    send: (bytes) => { received.push(Buffer.from(bytes)); },
    get bufferedBytes() { return channel.buffered; },
    onMessage: (l) => { listeners.push(l); },
    closed: new Promise((resolve) => { resolveClosed = resolve; }),
    close: (code, reason) => { closedBy.push({ code, reason }); resolveClosed({ code, reason }); },
  };
  return {
    channel, received, closedBy,
    type: (text: string | Buffer) => { for (const l of listeners) l(Buffer.from(text)); },
    hangUp: () => resolveClosed({ code: 1000, reason: '' }),
  };
}

const options = (o: Partial<SessionOptions> = {}): SessionOptions => ({
  signal: new AbortController().signal, guestStopped: async () => false, now: () => Date.now(), ...o,
});

describe('a console session', () => {
  test('bytes both ways are counted; the caller leaving finishes the stream', async () => {
    const { stream, sent } = scriptedStream();
    const c = memoryChannel();
    const done = runConsoleSession(stream, c.channel, options());
    stream.handlePacket(packet(PacketStatus.CONTINUE, Buffer.from('login: ')));
    c.type('root\n');
    await new Promise((r) => setImmediate(r));
    c.hangUp();
    const summary = await done;
    assert.deepEqual([summary.end, summary.bytesIn, summary.bytesOut], ['caller-closed', 5, 7]);
    assert.equal(Buffer.concat(c.received).toString(), 'login: ');
    assert.deepEqual(sent.map((s) => [s.status, s.bytes.toString()]), [[PacketStatus.CONTINUE, 'root\n'], [PacketStatus.OK, '']]);
    assert.equal(summary.input, undefined, 'typed input is not kept by default');
  });

  test('the stream ending tells the caller why: the guest stopped, or another session took over', async () => {
    for (const [stopped, code, reason] of [[true, CloseCode.GUEST_STOPPED, 'the guest stopped'], [false, CloseCode.TAKEN_OVER, 'another session took the console over']] as const) {
      const { stream } = scriptedStream();
      const c = memoryChannel();
      const done = runConsoleSession(stream, c.channel, options({ guestStopped: async () => stopped }));
      stream.handlePacket(packet(PacketStatus.OK));
      const summary = await done;
      assert.deepEqual(c.closedBy, [{ code, reason }]);
      assert.equal(summary.closeCode, code);
    }
  });

  test('a lost libvirt connection, a cancel, and a slow reader each close with their code', async () => {
    const lost = scriptedStream();
    const c1 = memoryChannel();
    const d1 = runConsoleSession(lost.stream, c1.channel, options());
    lost.stream.handleLost(new Error('gone'));
    assert.equal((await d1).end, 'libvirt-lost');
    assert.equal(c1.closedBy[0]!.code, CloseCode.LIBVIRT_LOST);

    const canceled = scriptedStream();
    const c2 = memoryChannel();
    const controller = new AbortController();
    const d2 = runConsoleSession(canceled.stream, c2.channel, options({ signal: controller.signal }));
    controller.abort(new Error('canceled by admin'));
    assert.deepEqual([(await d2).end, c2.closedBy[0]], ['ended', { code: CloseCode.ENDED, reason: 'canceled by admin' }]);
    assert.equal(canceled.sent.at(-1)!.status, PacketStatus.ERROR, 'the stream is aborted');

    const slow = scriptedStream();
    const c3 = memoryChannel();
    const d3 = runConsoleSession(slow.stream, c3.channel, options());
    c3.channel.buffered = MAX_BUFFERED_OUTPUT + 1;
    slow.stream.handlePacket(packet(PacketStatus.CONTINUE, Buffer.from('x')));
    assert.equal((await d3).end, 'too-slow');
    assert.equal(c3.closedBy[0]!.code, CloseCode.TOO_SLOW);
  });

  test('with recordInput, what was typed is kept up to its bound', async () => {
    const { stream } = scriptedStream();
    const c = memoryChannel();
    const done = runConsoleSession(stream, c.channel, options({ recordInput: true }));
    c.type('ls /\n');
    for (let i = 0; i < 2; i++) c.type(Buffer.alloc(MAX_RECORDED_INPUT / 2 + 10, 'a'));
    c.hangUp();
    const summary = await done;
    assert.equal(summary.input!.length, MAX_RECORDED_INPUT);
    assert.ok(summary.input!.startsWith('ls /\naaa'));
    assert.equal(summary.inputTruncated, true);
  });
});
