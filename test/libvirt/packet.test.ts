/**
 * Packet framing: the fact sheet's recorded vectors (libvirt-rpc.md §3, §4, §5, §7), re-encoding
 * byte-for-byte, chunking at every offset, and fatal framing errors.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  FramingError, HEADER_SIZE, KeepaliveProc, MAX_PACKET_SIZE, PacketDecoder, PacketStatus, PacketType, Program,
  decodePacket, encodePacket, type Packet, type PacketHeader,
} from '../../src/libvirt/packet.ts';
import { Proc, decodeLifecycleMessage, decodeReply, encodeArgs } from '../../src/libvirt/procedures.ts';
import { readRemoteError, writeDomain } from '../../src/libvirt/types.ts';
import { XdrReader } from '../../src/libvirt/xdr.ts';
import {
  callFrame, errorReplyFrame, eventFrame, frame, hex, pingFrame, pongFrame, replyFrame, splitAt,
} from '../support/frames.ts';

/** Recorded vectors from libvirt-rpc.md §3, copied verbatim. */
const V = {
  authListCall: hex('0000001c 20008086 00000001 00000042 00000000 00000001 00000000'),
  authListReply: hex('00000024 20008086 00000001 00000042 00000001 00000001 00000000 | 00000001 00000000'),
  featureCall: hex('00000020 20008086 00000001 0000003c 00000000 00000002 00000000 | 0000000a'),
  featureReply: hex('00000020 20008086 00000001 0000003c 00000001 00000002 00000000 | 00000001'),
  openQemuCall: hex('00000038 20008086 00000001 00000001 00000000 00000003 00000000 | 00000001 0000000e 71656d753a2f2f2f73797374656d0000 00000000'),
  openQemuReply: hex('0000001c 20008086 00000001 00000001 00000001 00000003 00000000'),
  openTestCall: hex('00000038 20008086 00000001 00000001 00000000 00000005 00000000 | 00000001 0000000f 746573743a2f2f2f64656661756c7400 00000000'),
  openTestReply: hex('0000001c 20008086 00000001 00000001 00000001 00000005 00000000'),
  closeCall: hex('0000001c 20008086 00000001 00000002 00000000 00000004 00000000'),
  /** §4: DOMAIN_LOOKUP_BY_NAME error reply from the test driver. */
  errorReply: hex(`
    00000070 20008086 00000001 00000017 00000001 0000001c 00000001
    0000002a 0000000c
    00000001 00000010 446f6d61696e206e6f7420666f756e64
    00000002 00000000
    00000001 00000010 446f6d61696e206e6f7420666f756e64 00000000 00000000
    ffffffff ffffffff 00000000`),
  /** §5 keepalive PING. */
  ping: hex('0000001c 6b656570 00000001 00000001 00000002 00000000 00000000'),
};

const remote = (proc: number, type: number, serial: number, status: number = PacketStatus.OK): PacketHeader =>
  ({ prog: Program.REMOTE, vers: 1, proc, type, serial, status });

/** Header fields of a packet, without its payload. */
const headerOf = (p: Packet): PacketHeader => ({ prog: p.prog, vers: p.vers, proc: p.proc, type: p.type, serial: p.serial, status: p.status });
/** A packet as plain data (payload as hex) for readable deepEqual diffs. */
const plain = (p: Packet) => ({ ...headerOf(p), payload: p.payload.toString('hex') });

describe('fact sheet §3 handshake vectors', () => {
  test('AUTH_LIST call: header, empty payload, encodes byte-for-byte', () => {
    const p = decodePacket(V.authListCall);
    assert.deepEqual(headerOf(p), remote(66, PacketType.CALL, 1));
    assert.equal(p.payload.length, 0);
    assert.equal(Proc.AUTH_LIST.proc, 66);
    assert.deepEqual(encodePacket(remote(Proc.AUTH_LIST.proc, PacketType.CALL, 1), encodeArgs(Proc.AUTH_LIST, undefined)), V.authListCall);
    assert.deepEqual(callFrame(Proc.AUTH_LIST, 1), V.authListCall);
  });

  test('AUTH_LIST reply: [NONE]', () => {
    const p = decodePacket(V.authListReply);
    assert.deepEqual(headerOf(p), remote(66, PacketType.REPLY, 1));
    assert.deepEqual(decodeReply(Proc.AUTH_LIST, p.payload), [0]);
    assert.deepEqual(encodePacket(headerOf(p), p.payload), V.authListReply);
    assert.deepEqual(replyFrame(Proc.AUTH_LIST, 1, (w) => w.varArray([0], 20, (x, v) => void x.int(v))), V.authListReply);
  });

  test('CONNECT_SUPPORTS_FEATURE(10) call encodes byte-for-byte', () => {
    const p = decodePacket(V.featureCall);
    assert.deepEqual(headerOf(p), remote(60, PacketType.CALL, 2));
    assert.equal(new XdrReader(p.payload).int(), 10);
    assert.deepEqual(encodePacket(remote(Proc.CONNECT_SUPPORTS_FEATURE.proc, PacketType.CALL, 2), encodeArgs(Proc.CONNECT_SUPPORTS_FEATURE, 10)), V.featureCall);
  });

  test('CONNECT_SUPPORTS_FEATURE(10) reply: supported', () => {
    const p = decodePacket(V.featureReply);
    assert.deepEqual(headerOf(p), remote(60, PacketType.REPLY, 2));
    assert.equal(decodeReply(Proc.CONNECT_SUPPORTS_FEATURE, p.payload), true);
    assert.deepEqual(encodePacket(headerOf(p), p.payload), V.featureReply);
    assert.deepEqual(replyFrame(60, 2, (w) => w.int(1)), V.featureReply);
  });

  for (const [name, call, reply, uri, serial] of [
    ['qemu', V.openQemuCall, V.openQemuReply, 'qemu:///system', 3],
    ['test', V.openTestCall, V.openTestReply, 'test:///default', 5],
  ] as const) {
    test(`CONNECT_OPEN ${uri} call encodes byte-for-byte`, () => {
      const p = decodePacket(call);
      assert.deepEqual(headerOf(p), remote(1, PacketType.CALL, serial));
      const r = new XdrReader(p.payload);
      assert.equal(r.optional((x) => x.string()), uri);
      assert.equal(r.uint(), 0);
      r.finish(`OPEN ${name} args`);
      assert.deepEqual(encodePacket(remote(Proc.CONNECT_OPEN.proc, PacketType.CALL, serial), encodeArgs(Proc.CONNECT_OPEN, { name: uri, flags: 0 })), call);
      assert.deepEqual(callFrame(Proc.CONNECT_OPEN, serial, encodeArgs(Proc.CONNECT_OPEN, { name: uri, flags: 0 })), call);
    });

    test(`CONNECT_OPEN ${uri} reply is a bare 28-byte header`, () => {
      assert.equal(reply.length, HEADER_SIZE);
      const p = decodePacket(reply);
      assert.deepEqual(headerOf(p), remote(1, PacketType.REPLY, serial));
      assert.equal(decodeReply(Proc.CONNECT_OPEN, p.payload), undefined);
      assert.deepEqual(encodePacket(headerOf(p)), reply);
      assert.deepEqual(replyFrame(Proc.CONNECT_OPEN, serial), reply);
    });
  }

  test('CONNECT_CLOSE call encodes byte-for-byte', () => {
    const p = decodePacket(V.closeCall);
    assert.deepEqual(headerOf(p), remote(2, PacketType.CALL, 4));
    assert.equal(p.payload.length, 0);
    assert.deepEqual(encodePacket(remote(Proc.CONNECT_CLOSE.proc, PacketType.CALL, 4), encodeArgs(Proc.CONNECT_CLOSE, undefined)), V.closeCall);
    // The daemon's reply to CLOSE is not in the sheet; build it and check its shape.
    const reply = replyFrame(Proc.CONNECT_CLOSE, 4);
    assert.deepEqual(headerOf(decodePacket(reply)), remote(2, PacketType.REPLY, 4));
    assert.equal(decodeReply(Proc.CONNECT_CLOSE, decodePacket(reply).payload), undefined);
  });
});

describe('fact sheet §4 error reply', () => {
  test('decodes to REPLY/ERROR and remote_error code 42, domain 12, level 2', () => {
    const p = decodePacket(V.errorReply);
    assert.deepEqual(headerOf(p), remote(23, PacketType.REPLY, 28, PacketStatus.ERROR));
    const r = new XdrReader(p.payload);
    assert.deepEqual(readRemoteError(r), {
      code: 42, domain: 12, message: 'Domain not found', level: 2,
      str1: 'Domain not found', str2: null, str3: null, int1: -1, int2: -1,
    });
    r.finish('remote_error');
  });

  test('re-encodes byte-for-byte, by encodePacket and by errorReplyFrame', () => {
    const p = decodePacket(V.errorReply);
    assert.deepEqual(encodePacket(headerOf(p), p.payload), V.errorReply);
    assert.deepEqual(errorReplyFrame(Proc.DOMAIN_LOOKUP_BY_NAME, 28, { code: 42, domain: 12, message: 'Domain not found', str1: 'Domain not found' }), V.errorReply);
  });
});

describe('fact sheet §5 keepalive', () => {
  test('PING decodes to KEEPALIVE/1, MESSAGE, serial 0, and re-encodes', () => {
    const p = decodePacket(V.ping);
    assert.deepEqual(headerOf(p), { prog: Program.KEEPALIVE, vers: 1, proc: KeepaliveProc.PING, type: PacketType.MESSAGE, serial: 0, status: 0 });
    assert.equal(p.payload.length, 0);
    assert.deepEqual(encodePacket(headerOf(p)), V.ping);
    assert.deepEqual(pingFrame(), V.ping);
  });

  test('PONG differs from PING only in proc', () => {
    const pong = pongFrame();
    assert.deepEqual(headerOf(decodePacket(pong)), { ...headerOf(decodePacket(V.ping)), proc: KeepaliveProc.PONG });
    assert.deepEqual(pong, hex('0000001c 6b656570 00000001 00000002 00000002 00000000 00000000'));
  });
});

describe('fact sheet §7 SUSPENDED event', () => {
  // The sheet elides the middle of the UUID ("6695eb01…2e193f"): build the packet from the test
  // driver's default domain (UUID 6695eb01-f6a4-8304-79aa-97f2502e193f) and check the recorded ends.
  const uuid = Buffer.from('6695eb01f6a4830479aa97f2502e193f', 'hex');
  const built = eventFrame(318, (w) => {
    w.int(0);
    writeDomain(w, { name: 'test', uuid, id: 1 });
    w.int(3).int(0);
  });

  test('the built packet matches every recorded byte around the elision', () => {
    assert.equal(built.length, 0x44);
    const head = hex('00000044 20008086 00000001 0000013e 00000002 00000001 00000000 | 00000000 | 00000004 74657374 6695eb01');
    const tail = hex('2e193f 00000001 | 00000003 00000000');
    assert.deepEqual(built.subarray(0, head.length), head);
    assert.deepEqual(built.subarray(built.length - tail.length), tail);
  });

  test('decodes to a MESSAGE with serial 1 and lifecycle 3/0 for domain "test"', () => {
    const p = decodePacket(built);
    assert.deepEqual(headerOf(p), remote(318, PacketType.MESSAGE, 1));
    assert.deepEqual(decodeLifecycleMessage(p.payload), { callbackId: 0, dom: { name: 'test', uuid, id: 1 }, event: 3, detail: 0 });
    assert.deepEqual(encodePacket(headerOf(p), p.payload), built);
  });
});

/** A stream mixing every kind of packet, including a larger one. */
const streamFrames: Buffer[] = [
  V.authListCall, V.authListReply, V.ping, V.featureReply, V.errorReply, V.openQemuCall, pongFrame(),
  replyFrame(Proc.CONNECT_GET_HOSTNAME, 9, (w) => w.string('h'.repeat(301))),
  eventFrame(319, (w) => { w.int(2); writeDomain(w, { name: 'vm', uuid: Buffer.alloc(16, 7), id: 3 }); }),
  V.closeCall,
];
const stream = Buffer.concat(streamFrames);
const expected = streamFrames.map((f) => plain(decodePacket(f)));

/** Pushes every chunk and returns every packet produced, as plain data. */
function feed(chunks: readonly Buffer[], decoder = new PacketDecoder()) {
  const out = chunks.flatMap((c) => decoder.push(c).map(plain));
  return { packets: out, pending: decoder.pendingBytes };
}

describe('PacketDecoder chunking', () => {
  test('the whole stream in one push yields every packet in order', () => {
    const { packets, pending } = feed([stream]);
    assert.equal(packets.length, streamFrames.length);
    assert.deepEqual(packets, expected);
    assert.equal(pending, 0);
  });

  test('split into two chunks at every offset yields the same packets', () => {
    for (let at = 0; at <= stream.length; at++) {
      const { packets, pending } = feed(splitAt(stream, [at]));
      assert.deepEqual(packets, expected, `split at ${at}`);
      assert.equal(pending, 0, `split at ${at}`);
    }
  });

  test('one byte at a time yields the same packets', () => {
    const chunks = Array.from({ length: stream.length }, (_, i) => stream.subarray(i, i + 1));
    assert.deepEqual(feed(chunks).packets, expected);
  });

  test('random chunking yields the same packets (property)', () => {
    const cuts = fc.uniqueArray(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 40 }).map((a) => a.sort((x, y) => x - y));
    fc.assert(fc.property(cuts, (offsets) => {
      const { packets, pending } = feed(splitAt(stream, offsets));
      assert.deepEqual(packets, expected);
      assert.equal(pending, 0);
    }), { numRuns: 150 });
  });

  test('random valid frames in random chunks come out unchanged (property)', () => {
    const frameArb = fc.record({
      prog: fc.constantFrom(Program.REMOTE, Program.KEEPALIVE, Program.QEMU), vers: fc.constant(1), proc: fc.integer({ min: 0, max: 500 }),
      type: fc.integer({ min: 0, max: 5 }), serial: fc.nat({ max: 0xffffffff }), status: fc.integer({ min: 0, max: 2 }),
      payload: fc.uint8Array({ maxLength: 80 }),
    });
    const arb = fc.array(frameArb, { minLength: 1, maxLength: 8 }).chain((frames) => {
      const bytes = Buffer.concat(frames.map(({ payload, ...h }) => frame(h, payload)));
      const cuts = fc.uniqueArray(fc.integer({ min: 0, max: bytes.length }), { maxLength: 20 }).map((a) => a.sort((x, y) => x - y));
      return fc.tuple(fc.constant(frames), fc.constant(bytes), cuts);
    });
    fc.assert(fc.property(arb, ([frames, bytes, cuts]) => {
      const { packets, pending } = feed(splitAt(bytes, cuts));
      assert.deepEqual(packets, frames.map(({ payload, ...h }) => ({ ...h, payload: Buffer.from(payload).toString('hex') })));
      assert.equal(pending, 0);
    }), { numRuns: 150 });
  });

  test('empty pushes are harmless', () => {
    const d = new PacketDecoder();
    assert.deepEqual(d.push(Buffer.alloc(0)), []);
    assert.deepEqual(d.push(V.ping.subarray(0, 2)).map(plain), []);
    assert.deepEqual(d.push(Buffer.alloc(0)), []);
    assert.deepEqual(d.push(V.ping.subarray(2)).map(plain), [plain(decodePacket(V.ping))]);
    assert.equal(d.pendingBytes, 0);
  });

  test('a partial frame leaves pendingBytes equal to the bytes held', () => {
    const d = new PacketDecoder();
    const f = V.openQemuCall;
    assert.deepEqual(d.push(f.subarray(0, 3)), []);
    assert.equal(d.pendingBytes, 3);
    assert.deepEqual(d.push(f.subarray(3, 10)), []);
    assert.equal(d.pendingBytes, 10);
    assert.deepEqual(d.push(f.subarray(10, f.length - 1)), []);
    assert.equal(d.pendingBytes, f.length - 1);
    const done = d.push(Buffer.concat([f.subarray(f.length - 1), V.ping.subarray(0, 5)]));
    assert.deepEqual(done.map(plain), [plain(decodePacket(f))]);
    assert.equal(d.pendingBytes, 5);
  });

  test('payloads of packets already returned are not disturbed by later pushes', () => {
    const d = new PacketDecoder();
    const first = d.push(Buffer.concat([V.featureCall, V.openTestCall.subarray(0, 30)]));
    assert.equal(first.length, 1);
    d.push(V.openTestCall.subarray(30));
    assert.deepEqual(first[0]?.payload, hex('0000000a'));
  });

  test('header fields keep their full unsigned and signed ranges', () => {
    const header: PacketHeader = { prog: 0xffffffff, vers: 0x80000000, proc: -1, type: -2, serial: 0xffffffff, status: -3 };
    const bytes = encodePacket(header, Buffer.from([1, 2, 3, 4]));
    assert.deepEqual(bytes, hex('00000020 ffffffff 80000000 ffffffff fffffffe ffffffff fffffffd 01020304'));
    assert.deepEqual(new PacketDecoder().push(bytes).map(plain), [{ ...header, payload: '01020304' }]);
    assert.deepEqual(frame(header, Buffer.from([1, 2, 3, 4])), bytes);
  });
});

describe('framing errors', () => {
  const lengthWord = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b; };

  for (const n of [0, 1, 4, 27]) {
    test(`a length word of ${n} (< 28) is a FramingError and the decoder stays failed`, () => {
      const d = new PacketDecoder();
      assert.throws(() => d.push(Buffer.concat([lengthWord(n), Buffer.alloc(40)])), FramingError);
      assert.throws(() => d.push(V.ping), FramingError, 'a later push still throws');
      assert.throws(() => d.push(Buffer.alloc(0)), FramingError, 'even an empty one');
    });
  }

  for (const n of [MAX_PACKET_SIZE + 1, 0x7fffffff, 0xffffffff]) {
    test(`a length word of ${n} (> MAX_PACKET_SIZE) is a FramingError as soon as it is seen`, () => {
      const d = new PacketDecoder();
      assert.throws(() => d.push(lengthWord(n)), FramingError);
      assert.throws(() => d.push(V.ping), FramingError);
    });
  }

  test('a length word split across chunks is still checked', () => {
    const d = new PacketDecoder();
    assert.deepEqual(d.push(Buffer.from([0x00, 0x00])), []);
    assert.deepEqual(d.push(Buffer.from([0x00])), []);
    assert.throws(() => d.push(Buffer.from([0x05])), FramingError);
  });

  test('a bad length after good packets: the good ones come out, then the decoder fails', () => {
    const d = new PacketDecoder();
    assert.deepEqual(d.push(Buffer.concat([V.ping, V.featureReply])).map(plain), [plain(decodePacket(V.ping)), plain(decodePacket(V.featureReply))]);
    assert.throws(() => d.push(lengthWord(3)), FramingError);
    assert.throws(() => d.push(V.ping), FramingError);
  });

  test('the boundary lengths 28 and MAX_PACKET_SIZE are accepted', () => {
    assert.equal(new PacketDecoder().push(V.closeCall).length, 1);
    const d = new PacketDecoder();
    assert.deepEqual(d.push(lengthWord(MAX_PACKET_SIZE)), []);
    assert.equal(d.pendingBytes, 4);
  });

  test('a custom maximum is enforced', () => {
    const d = new PacketDecoder(40);
    assert.equal(d.push(V.featureCall).length, 1);
    assert.throws(() => d.push(V.openQemuCall), FramingError);
  });

  test('protocol garbage (HTTP, SSH banners, zeros) is a FramingError, not a hang', () => {
    for (const garbage of ['GET / HTTP/1.1\r\nHost: x\r\n\r\n', 'SSH-2.0-OpenSSH_9.2\r\n', '\u0000'.repeat(32)]) {
      assert.throws(() => new PacketDecoder().push(Buffer.from(garbage, 'latin1')), FramingError, JSON.stringify(garbage));
    }
  });

  test('random bytes in random chunks only ever yield packets or a FramingError', () => {
    // Half the cases start with a plausible length word so the decoder gets past the first check.
    const lead = fc.option(fc.integer({ min: 0, max: 120 }), { nil: undefined });
    const arb = fc.tuple(lead, fc.uint8Array({ maxLength: 200 }), fc.array(fc.nat({ max: 204 }), { maxLength: 10 }));
    fc.assert(fc.property(arb, ([length, data, rawCuts]) => {
      const bytes = Buffer.concat([length === undefined ? Buffer.alloc(0) : lengthWord(length), data]);
      const cuts = [...new Set(rawCuts.map((c) => Math.min(c, bytes.length)))].sort((a, b) => a - b);
      const d = new PacketDecoder();
      let consumed = 0;
      try {
        for (const chunk of splitAt(bytes, cuts)) {
          for (const p of d.push(chunk)) consumed += p.payload.length + HEADER_SIZE;
        }
        assert.equal(consumed + d.pendingBytes, bytes.length, 'every byte is either framed or pending');
      } catch (err) {
        assert.ok(err instanceof FramingError, `unexpected ${String(err)}`);
      }
    }), { numRuns: 200 });
  });

  test('decodePacket rejects a short buffer and a length word that disagrees with the buffer', () => {
    assert.throws(() => decodePacket(V.ping.subarray(0, 27)), FramingError);
    assert.throws(() => decodePacket(Buffer.concat([V.ping, Buffer.alloc(4)])), FramingError);
    assert.throws(() => decodePacket(V.featureCall.subarray(0, 28)), FramingError);
  });
});

describe('encodePacket limits', () => {
  test('a packet of exactly MAX_PACKET_SIZE is encoded; one byte more is a FramingError', () => {
    const maxPayload = MAX_PACKET_SIZE - HEADER_SIZE;
    const ok = encodePacket(remote(1, PacketType.CALL, 1), Buffer.alloc(maxPayload));
    assert.equal(ok.length, MAX_PACKET_SIZE);
    assert.equal(ok.readUInt32BE(0), MAX_PACKET_SIZE);
    assert.throws(() => encodePacket(remote(1, PacketType.CALL, 1), Buffer.alloc(maxPayload + 1)), FramingError);
  });

  test('MAX_PACKET_SIZE is 16 MiB plus the length word', () => {
    assert.equal(MAX_PACKET_SIZE, 16 * 1024 * 1024 + 4);
    assert.equal(HEADER_SIZE, 28);
  });

  test('encodePacket agrees with the independent test-frame builder', () => {
    fc.assert(fc.property(
      fc.record({
        prog: fc.nat({ max: 0xffffffff }), vers: fc.nat({ max: 0xffffffff }), proc: fc.integer(), type: fc.integer({ min: 0, max: 5 }),
        serial: fc.nat({ max: 0xffffffff }), status: fc.integer({ min: 0, max: 2 }),
      }),
      fc.uint8Array({ maxLength: 64 }),
      (header, payload) => {
        const bytes = encodePacket(header, payload);
        assert.deepEqual(bytes, frame(header, payload));
        assert.deepEqual(plain(decodePacket(bytes)), { ...header, payload: Buffer.from(payload).toString('hex') });
      },
    ), { numRuns: 150 });
  });
});

describe('a bad length word after good frames in one chunk', () => {
  test('the good packets are still delivered, then the decoder reports and keeps its failure', () => {
    const good = encodePacket({ prog: Program.REMOTE, vers: 1, proc: 59, type: PacketType.REPLY, serial: 7, status: 0 });
    const bad = Buffer.from('0000000300000000', 'hex');
    const decoder = new PacketDecoder();
    const packets = decoder.push(Buffer.concat([good, bad]));
    assert.deepEqual(packets.map((p) => p.serial), [7]);
    assert.ok(decoder.failed instanceof FramingError);
    assert.throws(() => decoder.push(Buffer.alloc(0)), FramingError);
  });
});
