/**
 * Procedure codecs against remote_protocol.x as the fact sheet (libvirt-rpc.md §2, §4, §6, §7)
 * documents it. Arguments are checked with decoders written here from the documented layout;
 * replies are built here with XdrWriter primitives and fed to decodeReply.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { XdrDecodeError, XdrReader, XdrWriter } from '../../src/libvirt/xdr.ts';
import {
  EventProc, Proc, decodeAgentLifecycleMessage, decodeLifecycleMessage, decodeRebootMessage, decodeReply, encodeArgs, peekCallbackId, type Procedure,
} from '../../src/libvirt/procedures.ts';
import {
  readRemoteError, typedParamsToRecord, type DomainRef, type NetworkRef, type SnapshotRef, type StorageVolRef, type TypedParam,
} from '../../src/libvirt/types.ts';
import { LibvirtError } from '../../src/libvirt/errors.ts';
import { hex, xdr } from '../support/frames.ts';

type ProcName = keyof typeof Proc;
type ArgsOf<P> = P extends Procedure<infer A, unknown> ? A : never;
type RetOf<P> = P extends Procedure<unknown, infer R> ? R : never;
const PROC_NAMES = Object.keys(Proc) as ProcName[];
const anyProc = (name: ProcName) => Proc[name] as Procedure<unknown, unknown>;

// ---- Fixtures ---------------------------------------------------------------------------------

const UUID_A = Buffer.from('6695eb01f6a4830479aa97f2502e193f', 'hex');
const UUID_B = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
const DOM: DomainRef = { name: 'test', uuid: UUID_A, id: 1 };
const DOM_INACTIVE: DomainRef = { name: 'vm-é', uuid: UUID_B, id: -1 };
const NET: NetworkRef = { name: 'default', uuid: UUID_B };
const POOL: NetworkRef = { name: 'default-pool', uuid: UUID_A };
const VOL: StorageVolRef = { pool: 'default-pool', name: 'x.img', key: '/default-pool/x.img' };
/** A u32 flags value with the top bit set: only an unsigned encoder accepts it. */
const HIGH_FLAGS = 0x8000_0003;
/** One typed parameter of every wire type 1..7, at awkward values. */
const EVERY_PARAM: TypedParam[] = [
  { field: 'int', type: 'int', value: -2147483648 },
  { field: 'uint', type: 'uint', value: 0xffffffff },
  { field: 'llong', type: 'llong', value: -(1n << 63n) },
  { field: 'ullong', type: 'ullong', value: (1n << 64n) - 1n },
  { field: 'double', type: 'double', value: -0.125 },
  { field: 'boolean', type: 'boolean', value: true },
  { field: 'string', type: 'string', value: 'tcp://10.0.0.2:49152' },
];

// ---- Decoders and encoders written from the fact sheet, independent of src/libvirt/types.ts -----

const rStr = (r: XdrReader) => r.string(4_194_304);
const rOptStr = (r: XdrReader) => r.optional(rStr);
const rDom = (r: XdrReader): DomainRef => ({ name: rStr(r), uuid: r.fixedOpaque(16), id: r.int() });
const rNamed = (r: XdrReader): NetworkRef => ({ name: rStr(r), uuid: r.fixedOpaque(16) });
const rVol = (r: XdrReader): StorageVolRef => ({ pool: rStr(r), name: rStr(r), key: rStr(r) });
/** An XDR bool-as-int that must be exactly 0 or 1 when we send it. */
const rBool01 = (r: XdrReader) => {
  const v = r.int();
  assert.ok(v === 0 || v === 1, `boolean int must be 0 or 1, got ${v}`);
  return v === 1;
};
const TYPE_NAMES = ['', 'int', 'uint', 'llong', 'ullong', 'double', 'boolean', 'string'] as const;
function rTypedParam(r: XdrReader): TypedParam {
  const field = rStr(r);
  const code = r.int();
  switch (code) {
    case 1: return { field, type: 'int', value: r.int() };
    case 2: return { field, type: 'uint', value: r.uint() };
    case 3: return { field, type: 'llong', value: r.hyper() };
    case 4: return { field, type: 'ullong', value: r.uhyper() };
    case 5: return { field, type: 'double', value: r.double() };
    case 6: return { field, type: 'boolean', value: rBool01(r) };
    case 7: return { field, type: 'string', value: rStr(r) };
    default: throw new Error(`bad typed param type ${code}`);
  }
}

const wDom = (w: XdrWriter, d: DomainRef) => void w.string(d.name).fixedOpaque(d.uuid, 16).int(d.id);
const wNamed = (w: XdrWriter, n: NetworkRef) => void w.string(n.name).fixedOpaque(n.uuid, 16);
const wVol = (w: XdrWriter, v: StorageVolRef) => void w.string(v.pool).string(v.name).string(v.key);
function wTypedParam(w: XdrWriter, p: TypedParam): void {
  w.string(p.field).int(TYPE_NAMES.indexOf(p.type));
  switch (p.type) {
    case 'int': w.int(p.value); break;
    case 'uint': w.uint(p.value); break;
    case 'llong': w.hyper(p.value); break;
    case 'ullong': w.uhyper(p.value); break;
    case 'double': w.double(p.value); break;
    case 'boolean': w.int(p.value ? 1 : 0); break;
    case 'string': w.string(p.value); break;
  }
}

// ---- Procedure numbers (fact sheet §3 and §6; 100 and 344 from remote_protocol.x) ---------------

const PROC_NUMBERS: Record<ProcName, number> = {
  CONNECT_OPEN: 1, CONNECT_CLOSE: 2, CONNECT_GET_TYPE: 3, CONNECT_GET_VERSION: 4, NODE_GET_INFO: 6, DOMAIN_CREATE_XML: 10,
  DOMAIN_GET_XML_DESC: 14, DOMAIN_GET_AUTOSTART: 15, DOMAIN_GET_INFO: 16, DOMAIN_LOOKUP_BY_NAME: 23, DOMAIN_LOOKUP_BY_UUID: 24,
  DOMAIN_REBOOT: 27, DOMAIN_RESUME: 28, DOMAIN_SET_AUTOSTART: 29, DOMAIN_SUSPEND: 34, NETWORK_GET_XML_DESC: 43,
  NETWORK_LOOKUP_BY_NAME: 46, CONNECT_GET_HOSTNAME: 59, CONNECT_SUPPORTS_FEATURE: 60, AUTH_LIST: 66, AUTH_POLKIT: 70,
  STORAGE_POOL_LOOKUP_BY_NAME: 84, STORAGE_VOL_CREATE_XML: 93, STORAGE_VOL_DELETE: 94, STORAGE_VOL_LOOKUP_BY_NAME: 95,
  STORAGE_VOL_GET_PATH: 100, NODE_GET_FREE_MEMORY: 102, CONNECT_GET_URI: 110, CONNECT_GET_LIB_VERSION: 157,
  DOMAIN_GET_JOB_INFO: 163, DOMAIN_ABORT_JOB: 164, DOMAIN_CREATE_WITH_FLAGS: 196, DOMAIN_GET_STATE: 212,
  NODE_GET_CPU_STATS: 227, NODE_GET_MEMORY_STATS: 228, DOMAIN_UNDEFINE_FLAGS: 231, DOMAIN_DESTROY_FLAGS: 234,
  DOMAIN_RESET: 245, DOMAIN_SHUTDOWN_FLAGS: 258, CONNECT_LIST_ALL_DOMAINS: 273, NETWORK_UPDATE: 291,
  DOMAIN_GET_JOB_STATS: 298, DOMAIN_MIGRATE_PERFORM3_PARAMS: 305, CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY: 316,
  CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY: 317, CONNECT_GET_ALL_DOMAIN_STATS: 344, DOMAIN_DEFINE_XML_FLAGS: 350,
  DOMAIN_ABORT_JOB_FLAGS: 442,
  // Added for create-from-image and migration checks; numbers from remote_protocol.x's procedure enum.
  CONNECT_GET_CAPABILITIES: 7, NETWORK_CREATE: 39, NETWORK_DEFINE_XML: 41, NETWORK_DESTROY: 42, NETWORK_UNDEFINE: 49,
  STORAGE_POOL_CREATE_XML: 76, STORAGE_POOL_DESTROY: 80, STORAGE_POOL_REFRESH: 83, STORAGE_POOL_GET_XML_DESC: 88,
  STORAGE_VOL_LOOKUP_BY_PATH: 97, STORAGE_VOL_GET_XML_DESC: 99, DOMAIN_IS_PERSISTENT: 151, NETWORK_IS_ACTIVE: 152,
  NETWORK_IS_PERSISTENT: 153, NETWORK_GET_DHCP_LEASES: 341, STORAGE_POOL_LOOKUP_BY_TARGET_PATH: 391,
  // Added for the Linux test guest's addresses (remote_protocol.x, REMOTE_PROC_DOMAIN_INTERFACE_ADDRESSES).
  DOMAIN_INTERFACE_ADDRESSES: 353,
  // Added for consoles and screenshots (streams).
  DOMAIN_OPEN_CONSOLE: 201, DOMAIN_SCREENSHOT: 211,
  // Added for snapshots.
  DOMAIN_SNAPSHOT_CREATE_XML: 185, DOMAIN_SNAPSHOT_GET_XML_DESC: 186, DOMAIN_SNAPSHOT_LOOKUP_BY_NAME: 189,
  DOMAIN_HAS_CURRENT_SNAPSHOT: 190, DOMAIN_SNAPSHOT_CURRENT: 191, DOMAIN_REVERT_TO_SNAPSHOT: 192,
  DOMAIN_SNAPSHOT_DELETE: 193, DOMAIN_LIST_ALL_SNAPSHOTS: 274,
};

describe('procedure table', () => {
  test('every procedure has libvirt\'s number and its own name', () => {
    for (const name of PROC_NAMES) {
      assert.equal(Proc[name].proc, PROC_NUMBERS[name], name);
      assert.equal(Proc[name].name, name);
    }
    assert.deepEqual(Object.keys(PROC_NUMBERS).sort(), [...PROC_NAMES].sort());
  });

  test('procedure numbers are unique', () => {
    const numbers = PROC_NAMES.map((n) => Proc[n].proc);
    assert.equal(new Set(numbers).size, numbers.length);
  });

  test('event procedure numbers', () => {
    assert.deepEqual(EventProc, { LIFECYCLE: 318, REBOOT: 319, AGENT_LIFECYCLE: 348 });
  });

  test('the agent lifecycle message: callbackID, domain, state, reason', () => {
    const w = new XdrWriter().int(7);
    w.string(DOM.name).fixedOpaque(DOM.uuid, 16).int(DOM.id);
    w.int(1).int(2);
    assert.deepEqual(decodeAgentLifecycleMessage(w.toBuffer()), { callbackId: 7, dom: DOM, state: 1, reason: 2 });
    assert.throws(() => decodeAgentLifecycleMessage(w.toBuffer().subarray(0, 20)));
  });
});

// ---- Arguments --------------------------------------------------------------------------------

/** How a procedure's args travel: samples to encode and a decoder for the documented layout (none = void). */
type ArgSpec<A> = { samples: A[]; read: (r: XdrReader) => A } | { samples?: undefined; read?: undefined };
const SNAP: SnapshotRef = { name: 'before-upgrade', dom: DOM };
const rSnap = (r: XdrReader): SnapshotRef => ({ name: rStr(r), dom: rDom(r) });
const wSnap = (w: XdrWriter, s: SnapshotRef) => { w.string(s.name); wDom(w, s.dom); };
const snapFlags = { samples: [{ snap: SNAP, flags: 0 }, { snap: { name: 'é', dom: DOM_INACTIVE }, flags: HIGH_FLAGS }], read: (r: XdrReader) => ({ snap: rSnap(r), flags: r.uint() }) };
const domFlags = { samples: [{ dom: DOM, flags: 0 }, { dom: DOM_INACTIVE, flags: HIGH_FLAGS }], read: (r: XdrReader) => ({ dom: rDom(r), flags: r.uint() }) };
const domOnly = { samples: [DOM, DOM_INACTIVE], read: rDom };
const xmlFlags = { samples: [{ xml: '<domain><name>é</name></domain>', flags: 0 }, { xml: '', flags: HIGH_FLAGS }], read: (r: XdrReader) => ({ xml: rStr(r), flags: r.uint() }) };
const VOID = {};

const ARGS: { [K in ProcName]: ArgSpec<ArgsOf<(typeof Proc)[K]>> } = {
  CONNECT_OPEN: {
    samples: [{ name: 'qemu:///system', flags: 0 }, { name: 'test:///default', flags: 1 }, { name: '', flags: HIGH_FLAGS }],
    read: (r) => {
      const name = rOptStr(r);
      assert.notEqual(name, null, 'CONNECT_OPEN must always send a name (NULL is rejected)');
      return { name: name ?? '', flags: r.uint() };
    },
  },
  CONNECT_CLOSE: VOID, CONNECT_GET_TYPE: VOID, CONNECT_GET_VERSION: VOID, NODE_GET_INFO: VOID,
  DOMAIN_CREATE_XML: xmlFlags,
  DOMAIN_GET_XML_DESC: domFlags,
  DOMAIN_GET_AUTOSTART: domOnly,
  DOMAIN_GET_INFO: domOnly,
  DOMAIN_LOOKUP_BY_NAME: { samples: ['test', 'vm-日本'], read: rStr },
  DOMAIN_LOOKUP_BY_UUID: { samples: [UUID_A, UUID_B], read: (r) => r.fixedOpaque(16) },
  DOMAIN_REBOOT: domFlags,
  DOMAIN_RESUME: domOnly,
  DOMAIN_SET_AUTOSTART: {
    samples: [{ dom: DOM, autostart: true }, { dom: DOM_INACTIVE, autostart: false }],
    read: (r) => ({ dom: rDom(r), autostart: rBool01(r) }),
  },
  DOMAIN_SUSPEND: domOnly,
  NETWORK_GET_XML_DESC: { samples: [{ net: NET, flags: 0 }, { net: NET, flags: HIGH_FLAGS }], read: (r) => ({ net: rNamed(r), flags: r.uint() }) },
  NETWORK_LOOKUP_BY_NAME: { samples: ['default'], read: rStr },
  CONNECT_GET_HOSTNAME: VOID,
  CONNECT_SUPPORTS_FEATURE: { samples: [10, 14, -1], read: (r) => r.int() },
  AUTH_LIST: VOID, AUTH_POLKIT: VOID,
  STORAGE_POOL_LOOKUP_BY_NAME: { samples: ['default-pool'], read: rStr },
  STORAGE_VOL_CREATE_XML: {
    samples: [{ pool: POOL, xml: "<volume><name>x.img</name><capacity unit='MiB'>8</capacity></volume>", flags: HIGH_FLAGS }],
    read: (r) => ({ pool: rNamed(r), xml: rStr(r), flags: r.uint() }),
  },
  STORAGE_VOL_DELETE: { samples: [{ vol: VOL, flags: HIGH_FLAGS }], read: (r) => ({ vol: rVol(r), flags: r.uint() }) },
  STORAGE_VOL_LOOKUP_BY_NAME: { samples: [{ pool: POOL, name: 'x.img' }], read: (r) => ({ pool: rNamed(r), name: rStr(r) }) },
  STORAGE_VOL_GET_PATH: { samples: [VOL], read: rVol },
  NODE_GET_FREE_MEMORY: VOID, CONNECT_GET_URI: VOID, CONNECT_GET_LIB_VERSION: VOID,
  DOMAIN_GET_JOB_INFO: domOnly,
  DOMAIN_ABORT_JOB: domOnly,
  DOMAIN_CREATE_WITH_FLAGS: domFlags,
  DOMAIN_GET_STATE: domFlags,
  NODE_GET_CPU_STATS: {
    samples: [{ cpuNum: -1, nparams: 0, flags: 0 }, { cpuNum: 3, nparams: 4, flags: HIGH_FLAGS }],
    read: (r) => ({ cpuNum: r.int(), nparams: r.int(), flags: r.uint() }),
  },
  NODE_GET_MEMORY_STATS: {
    samples: [{ nparams: 0, cellNum: -1, flags: 0 }, { nparams: 4, cellNum: 1, flags: HIGH_FLAGS }],
    read: (r) => ({ nparams: r.int(), cellNum: r.int(), flags: r.uint() }),
  },
  DOMAIN_UNDEFINE_FLAGS: domFlags,
  DOMAIN_DESTROY_FLAGS: domFlags,
  DOMAIN_RESET: domFlags,
  DOMAIN_SHUTDOWN_FLAGS: domFlags,
  CONNECT_LIST_ALL_DOMAINS: {
    samples: [{ needResults: true, flags: 0 }, { needResults: false, flags: HIGH_FLAGS }],
    read: (r) => ({ needResults: rBool01(r), flags: r.uint() }),
  },
  NETWORK_UPDATE: {
    samples: [{ net: NET, command: 3, section: 4, parentIndex: -1, xml: "<host mac='52:54:00:00:00:99' name='vm1' ip='192.168.122.99'/>", flags: 3 }],
    read: (r) => ({ net: rNamed(r), command: r.uint(), section: r.uint(), parentIndex: r.int(), xml: rStr(r), flags: r.uint() }),
  },
  DOMAIN_GET_JOB_STATS: domFlags,
  DOMAIN_MIGRATE_PERFORM3_PARAMS: {
    samples: [
      { dom: DOM, dconnuri: 'qemu+tcp://dst/system', params: EVERY_PARAM, cookieIn: Buffer.alloc(0), flags: 27 },
      { dom: DOM_INACTIVE, dconnuri: null, params: [], cookieIn: Buffer.from([1, 2, 3, 4, 5]), flags: HIGH_FLAGS },
    ],
    read: (r) => ({
      dom: rDom(r), dconnuri: rOptStr(r), params: r.varArray(64, rTypedParam), cookieIn: r.varOpaque(4_194_304), flags: r.uint(),
    }),
  },
  CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY: {
    samples: [{ eventId: 0, dom: null }, { eventId: 1, dom: DOM }],
    read: (r) => ({ eventId: r.int(), dom: r.optional(rDom) }),
  },
  CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY: { samples: [0, 7], read: (r) => r.int() },
  CONNECT_GET_ALL_DOMAIN_STATS: {
    samples: [{ doms: [], stats: 1, flags: 0 }, { doms: [DOM, DOM_INACTIVE], stats: 0x3ff, flags: 0x8000_0000 }],
    read: (r) => ({ doms: r.varArray(16384, rDom), stats: r.uint(), flags: r.uint() }),
  },
  DOMAIN_DEFINE_XML_FLAGS: xmlFlags,
  DOMAIN_ABORT_JOB_FLAGS: domFlags,
  CONNECT_GET_CAPABILITIES: VOID,
  NETWORK_CREATE: { samples: [NET], read: rNamed },
  NETWORK_DEFINE_XML: { samples: ["<network><name>n</name></network>"], read: rStr },
  NETWORK_DESTROY: { samples: [NET], read: rNamed },
  NETWORK_UNDEFINE: { samples: [NET], read: rNamed },
  STORAGE_POOL_CREATE_XML: { samples: [{ xml: "<pool type='dir'/>", flags: HIGH_FLAGS }], read: (r) => ({ xml: rStr(r), flags: r.uint() }) },
  STORAGE_POOL_DESTROY: { samples: [POOL], read: rNamed },
  STORAGE_POOL_REFRESH: { samples: [{ pool: POOL, flags: HIGH_FLAGS }], read: (r) => ({ pool: rNamed(r), flags: r.uint() }) },
  STORAGE_POOL_GET_XML_DESC: { samples: [{ pool: POOL, flags: 0 }], read: (r) => ({ pool: rNamed(r), flags: r.uint() }) },
  STORAGE_VOL_LOOKUP_BY_PATH: { samples: ['/var/lib/libvirt/images/x.img'], read: rStr },
  STORAGE_VOL_GET_XML_DESC: { samples: [{ vol: VOL, flags: HIGH_FLAGS }], read: (r) => ({ vol: rVol(r), flags: r.uint() }) },
  DOMAIN_IS_PERSISTENT: domOnly,
  NETWORK_IS_ACTIVE: { samples: [NET], read: rNamed },
  NETWORK_IS_PERSISTENT: { samples: [NET], read: rNamed },
  NETWORK_GET_DHCP_LEASES: {
    samples: [{ net: NET, mac: null, needResults: true, flags: 0 }, { net: NET, mac: '52:54:00:00:00:01', needResults: false, flags: HIGH_FLAGS }],
    read: (r) => ({ net: rNamed(r), mac: rOptStr(r), needResults: rBool01(r), flags: r.uint() }),
  },
  STORAGE_POOL_LOOKUP_BY_TARGET_PATH: { samples: ['/var/lib/libvirt/images'], read: rStr },
  DOMAIN_SNAPSHOT_CREATE_XML: {
    samples: [{ dom: DOM, xml: '<domainsnapshot/>', flags: 0 }, { dom: DOM, xml: '', flags: HIGH_FLAGS }],
    read: (r) => ({ dom: rDom(r), xml: rStr(r), flags: r.uint() }),
  },
  DOMAIN_SNAPSHOT_GET_XML_DESC: snapFlags,
  DOMAIN_SNAPSHOT_LOOKUP_BY_NAME: {
    samples: [{ dom: DOM, name: 'before-upgrade', flags: 0 }, { dom: DOM_INACTIVE, name: 'é', flags: HIGH_FLAGS }],
    read: (r) => ({ dom: rDom(r), name: rStr(r), flags: r.uint() }),
  },
  DOMAIN_HAS_CURRENT_SNAPSHOT: domFlags,
  DOMAIN_SNAPSHOT_CURRENT: domFlags,
  DOMAIN_REVERT_TO_SNAPSHOT: snapFlags,
  DOMAIN_SNAPSHOT_DELETE: snapFlags,
  DOMAIN_LIST_ALL_SNAPSHOTS: {
    samples: [{ dom: DOM, flags: 0 }, { dom: DOM_INACTIVE, flags: HIGH_FLAGS }],
    read: (r) => { const dom = rDom(r); assert.equal(r.int(), 1, 'need_results'); return { dom, flags: r.uint() }; },
  },
  DOMAIN_OPEN_CONSOLE: {
    samples: [{ dom: DOM, devName: null, flags: 0 }, { dom: DOM_INACTIVE, devName: 'serial0', flags: HIGH_FLAGS }],
    read: (r) => ({ dom: rDom(r), devName: rOptStr(r), flags: r.uint() }),
  },
  DOMAIN_SCREENSHOT: {
    samples: [{ dom: DOM, screen: 0, flags: 0 }, { dom: DOM, screen: 3, flags: HIGH_FLAGS }],
    read: (r) => ({ dom: rDom(r), screen: r.uint(), flags: r.uint() }),
  },
  DOMAIN_INTERFACE_ADDRESSES: {
    samples: [{ dom: DOM, source: 1, flags: 0 }, { dom: DOM_INACTIVE, source: 2, flags: HIGH_FLAGS }],
    read: (r) => ({ dom: rDom(r), source: r.uint(), flags: r.uint() }),
  },
};

describe('procedure arguments follow remote_protocol.x', () => {
  for (const name of PROC_NAMES) {
    const spec = ARGS[name] as ArgSpec<unknown>;
    if (spec.samples === undefined) {
      test(`${name}: void args encode to zero bytes`, () => {
        assert.equal(encodeArgs(anyProc(name), undefined).length, 0);
      });
      continue;
    }
    const read = spec.read;
    test(`${name}: encoded args decode to the inputs by the documented layout`, () => {
      for (const sample of spec.samples) {
        const bytes = encodeArgs(anyProc(name), sample);
        assert.equal(bytes.length % 4, 0);
        const r = new XdrReader(bytes);
        assert.deepEqual(read(r), sample);
        assert.equal(r.remaining, 0, `${name}: no bytes beyond the documented layout`);
      }
    });
  }

  test('DOMAIN_GET_STATE args, byte for byte', () => {
    const bytes = encodeArgs(Proc.DOMAIN_GET_STATE, { dom: DOM, flags: 0 });
    assert.deepEqual(bytes, hex('00000004 74657374 6695eb01 f6a48304 79aa97f2 502e193f 00000001 00000000'));
  });

  test('CONNECT_LIST_ALL_DOMAINS args, byte for byte', () => {
    assert.deepEqual(encodeArgs(Proc.CONNECT_LIST_ALL_DOMAINS, { needResults: true, flags: 0 }), hex('00000001 00000000'));
  });

  test('typed parameters of every type, byte for byte', () => {
    const bytes = encodeArgs(Proc.DOMAIN_MIGRATE_PERFORM3_PARAMS, {
      dom: DOM, dconnuri: null, params: [{ field: 'b', type: 'boolean', value: true }, { field: 'bw', type: 'ullong', value: 100n }],
      cookieIn: Buffer.alloc(0), flags: 0,
    });
    const afterDom = bytes.subarray(xdr((w) => wDom(w, DOM)).length);
    assert.deepEqual(afterDom, hex(`
      00000000
      00000002 00000001 62000000 00000006 00000001
               00000002 62770000 00000004 00000000 00000064
      00000000 00000000`));
  });

  test('arguments beyond libvirt\'s bounds are refused before sending', () => {
    const tooMany = Array.from({ length: 65 }, (_, i): TypedParam => ({ field: `p${i}`, type: 'int', value: i }));
    assert.throws(() => encodeArgs(Proc.DOMAIN_MIGRATE_PERFORM3_PARAMS, { dom: DOM, dconnuri: null, params: tooMany, cookieIn: Buffer.alloc(0), flags: 0 }));
    assert.throws(() => encodeArgs(Proc.DOMAIN_LOOKUP_BY_UUID, Buffer.alloc(15)));
    assert.throws(() => encodeArgs(Proc.DOMAIN_GET_STATE, { dom: { ...DOM, uuid: Buffer.alloc(17) }, flags: 0 }));
    assert.throws(() => encodeArgs(Proc.DOMAIN_GET_STATE, { dom: DOM, flags: -1 }));
  });
});

// ---- Replies ----------------------------------------------------------------------------------

/** A reply sample: its payload built per the fact sheet, the decoded value, and optionally its size. */
interface ReplySample<R> { build?: (w: XdrWriter) => void; expect: R; size?: number }
const asDom = (d: DomainRef) => ({ build: (w: XdrWriter) => wDom(w, d), expect: d });
const asString = (s: string) => ({ build: (w: XdrWriter) => void w.string(s), expect: s });
const asIntBool = (v: number, expect: boolean) => ({ build: (w: XdrWriter) => void w.int(v), expect });
const VOID_REPLY = [{ expect: undefined, size: 0 }];

/** NODE_GET_INFO payload: char model[32] as 32 four-byte words, then memory and six ints. */
function nodeInfo(model: readonly number[], w: XdrWriter): void {
  const chars = [...model, ...Array<number>(32).fill(0)].slice(0, 32);
  w.fixedArray(chars, 32, (x, c) => void x.int(c));
  w.uhyper(16318412n).int(8).int(2400).int(1).int(1).int(4).int(2);
}
const NODE_INFO_REST = { memoryKiB: 16318412n, cpus: 8, mhz: 2400, nodes: 1, sockets: 1, cores: 4, threads: 2 };
const ascii = (s: string) => Array.from(Buffer.from(s, 'latin1'));

const JOB_VALUES = [1000n, 2000n, 3n << 40n, 4n, 5n, 6n, 7n, 8n, 9n, 10n, (1n << 64n) - 1n];

const REPLIES: { [K in ProcName]: ReplySample<RetOf<(typeof Proc)[K]>>[] } = {
  CONNECT_OPEN: VOID_REPLY, CONNECT_CLOSE: VOID_REPLY,
  CONNECT_GET_TYPE: [asString('QEMU'), asString('TEST')],
  CONNECT_GET_VERSION: [{ build: (w) => void w.uhyper(7002022n), expect: 7002022n, size: 8 }],
  NODE_GET_INFO: [
    { build: (w) => nodeInfo(ascii('x86_64'), w), expect: { model: 'x86_64', ...NODE_INFO_REST }, size: 160 },
    { build: (w) => nodeInfo([...ascii('arm'), 0, ...ascii('junk')], w), expect: { model: 'arm', ...NODE_INFO_REST }, size: 160 },
    { build: (w) => nodeInfo(ascii('M'.repeat(32)), w), expect: { model: 'M'.repeat(32), ...NODE_INFO_REST }, size: 160 },
    { build: (w) => nodeInfo([], w), expect: { model: '', ...NODE_INFO_REST }, size: 160 },
  ],
  DOMAIN_CREATE_XML: [asDom(DOM)],
  DOMAIN_GET_XML_DESC: [asString("<domain type='kvm'><name>test</name></domain>")],
  DOMAIN_GET_AUTOSTART: [asIntBool(1, true), asIntBool(0, false)],
  DOMAIN_GET_INFO: [
    {
      build: (w) => void w.int(1).uhyper(2097152n).uhyper(1048576n).int(2).uhyper(123_456_789_012_345_678n),
      expect: { state: 1, maxMemKiB: 2097152n, memoryKiB: 1048576n, nrVirtCpu: 2, cpuTimeNs: 123_456_789_012_345_678n }, size: 32,
    },
    {
      build: (w) => void w.int(5).uhyper(0n).uhyper(0n).int(0).uhyper(0n),
      expect: { state: 5, maxMemKiB: 0n, memoryKiB: 0n, nrVirtCpu: 0, cpuTimeNs: 0n }, size: 32,
    },
  ],
  DOMAIN_LOOKUP_BY_NAME: [asDom(DOM), asDom(DOM_INACTIVE)],
  DOMAIN_LOOKUP_BY_UUID: [asDom(DOM_INACTIVE)],
  DOMAIN_REBOOT: VOID_REPLY, DOMAIN_RESUME: VOID_REPLY, DOMAIN_SET_AUTOSTART: VOID_REPLY, DOMAIN_SUSPEND: VOID_REPLY,
  NETWORK_GET_XML_DESC: [asString('<network><name>default</name></network>')],
  NETWORK_LOOKUP_BY_NAME: [{ build: (w) => wNamed(w, NET), expect: NET, size: 4 + 8 + 16 }],
  CONNECT_GET_HOSTNAME: [asString('host.example')],
  CONNECT_SUPPORTS_FEATURE: [asIntBool(1, true), asIntBool(0, false)],
  AUTH_LIST: [
    { build: (w) => void w.varArray([0], 20, (x, v) => void x.int(v)), expect: [0], size: 8 },
    { build: (w) => void w.varArray([2, 1], 20, (x, v) => void x.int(v)), expect: [2, 1] },
    { build: (w) => void w.uint(0), expect: [] },
  ],
  AUTH_POLKIT: [asIntBool(1, true), asIntBool(0, false)],
  STORAGE_POOL_LOOKUP_BY_NAME: [{ build: (w) => wNamed(w, POOL), expect: POOL }],
  STORAGE_VOL_CREATE_XML: [{ build: (w) => wVol(w, VOL), expect: VOL }],
  STORAGE_VOL_DELETE: VOID_REPLY,
  STORAGE_VOL_LOOKUP_BY_NAME: [{ build: (w) => wVol(w, VOL), expect: VOL }],
  STORAGE_VOL_GET_PATH: [asString('/var/lib/libvirt/images/x.img')],
  NODE_GET_FREE_MEMORY: [{ build: (w) => void w.uhyper(1n << 40n), expect: 1n << 40n, size: 8 }],
  CONNECT_GET_URI: [asString('qemu:///system')],
  CONNECT_GET_LIB_VERSION: [{ build: (w) => void w.uhyper(9000000n), expect: 9000000n }],
  DOMAIN_GET_JOB_INFO: [
    {
      build: (w) => { w.int(2); for (const v of JOB_VALUES) w.uhyper(v); },
      expect: {
        type: 2, timeElapsed: 1000n, timeRemaining: 2000n, dataTotal: 3n << 40n, dataProcessed: 4n, dataRemaining: 5n,
        memTotal: 6n, memProcessed: 7n, memRemaining: 8n, fileTotal: 9n, fileProcessed: 10n, fileRemaining: (1n << 64n) - 1n,
      },
      size: 4 + 11 * 8,
    },
    {
      build: (w) => { w.int(0); for (let i = 0; i < 11; i++) w.uhyper(0n); },
      expect: {
        type: 0, timeElapsed: 0n, timeRemaining: 0n, dataTotal: 0n, dataProcessed: 0n, dataRemaining: 0n,
        memTotal: 0n, memProcessed: 0n, memRemaining: 0n, fileTotal: 0n, fileProcessed: 0n, fileRemaining: 0n,
      },
    },
  ],
  DOMAIN_ABORT_JOB: VOID_REPLY,
  DOMAIN_CREATE_WITH_FLAGS: [asDom({ ...DOM, id: 7 })],
  DOMAIN_GET_STATE: [
    { build: (w) => void w.int(3).int(1), expect: { state: 3, reason: 1 }, size: 8 },
    { build: (w) => void w.int(5).int(2), expect: { state: 5, reason: 2 } },
  ],
  NODE_GET_CPU_STATS: [
    { build: (w) => void w.uint(0).int(4), expect: { params: [], nparams: 4 } },
    {
      build: (w) => void w.varArray(['kernel', 'user', 'idle', 'iowait'], 16, (x, f) => void x.string(f).uhyper(1n << 50n)).int(0),
      expect: { params: ['kernel', 'user', 'idle', 'iowait'].map((field) => ({ field, value: 1n << 50n })), nparams: 0 },
    },
  ],
  NODE_GET_MEMORY_STATS: [
    { build: (w) => void w.uint(0).int(4), expect: { params: [], nparams: 4 }, size: 8 },
    {
      build: (w) => void w.varArray([['total', 16318412n], ['free', 1234n], ['buffers', 0n], ['cached', 99n]] as const, 16,
        (x, [f, v]) => void x.string(f).uhyper(v)).int(0),
      expect: {
        params: [{ field: 'total', value: 16318412n }, { field: 'free', value: 1234n }, { field: 'buffers', value: 0n }, { field: 'cached', value: 99n }],
        nparams: 0,
      },
    },
  ],
  DOMAIN_UNDEFINE_FLAGS: VOID_REPLY, DOMAIN_DESTROY_FLAGS: VOID_REPLY, DOMAIN_RESET: VOID_REPLY, DOMAIN_SHUTDOWN_FLAGS: VOID_REPLY,
  CONNECT_LIST_ALL_DOMAINS: [
    { build: (w) => void w.varArray([DOM, DOM_INACTIVE], 16384, wDom).uint(2), expect: { domains: [DOM, DOM_INACTIVE], count: 2 } },
    { build: (w) => void w.uint(0).uint(3), expect: { domains: [], count: 3 }, size: 8 },
  ],
  NETWORK_UPDATE: VOID_REPLY,
  DOMAIN_GET_JOB_STATS: [
    {
      build: (w) => void w.int(1).varArray(EVERY_PARAM, 64, wTypedParam),
      expect: { type: 1, params: EVERY_PARAM },
    },
    { build: (w) => void w.int(0).uint(0), expect: { type: 0, params: [] }, size: 8 },
  ],
  DOMAIN_MIGRATE_PERFORM3_PARAMS: [
    { build: (w) => void w.varOpaque(Buffer.from('<qemu-migration/>')), expect: Buffer.from('<qemu-migration/>') },
    { build: (w) => void w.uint(0), expect: Buffer.alloc(0) },
  ],
  CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY: [{ build: (w) => void w.int(0), expect: 0 }, { build: (w) => void w.int(12), expect: 12 }],
  CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY: VOID_REPLY,
  CONNECT_GET_ALL_DOMAIN_STATS: [
    {
      build: (w) => void w.varArray([[DOM, EVERY_PARAM], [DOM_INACTIVE, []]] as const, 16384, (x, [d, params]) => {
        wDom(x, d);
        x.varArray(params, 4096, wTypedParam);
      }),
      expect: [{ dom: DOM, params: EVERY_PARAM }, { dom: DOM_INACTIVE, params: [] }],
    },
    { build: (w) => void w.uint(0), expect: [] },
  ],
  DOMAIN_DEFINE_XML_FLAGS: [asDom(DOM_INACTIVE)],
  DOMAIN_ABORT_JOB_FLAGS: VOID_REPLY,
  CONNECT_GET_CAPABILITIES: [asString('<capabilities><host><uuid>x</uuid></host></capabilities>')],
  NETWORK_CREATE: VOID_REPLY,
  NETWORK_DEFINE_XML: [{ build: (w) => wNamed(w, NET), expect: NET }],
  NETWORK_DESTROY: VOID_REPLY,
  NETWORK_UNDEFINE: VOID_REPLY,
  STORAGE_POOL_CREATE_XML: [{ build: (w) => wNamed(w, POOL), expect: POOL }],
  STORAGE_POOL_DESTROY: VOID_REPLY,
  STORAGE_POOL_REFRESH: VOID_REPLY,
  STORAGE_POOL_GET_XML_DESC: [asString("<pool type='dir'><name>default</name></pool>")],
  STORAGE_VOL_LOOKUP_BY_PATH: [{ build: (w) => wVol(w, VOL), expect: VOL }],
  STORAGE_VOL_GET_XML_DESC: [asString("<volume type='file'><name>x.img</name></volume>")],
  DOMAIN_IS_PERSISTENT: [asIntBool(1, true), asIntBool(0, false)],
  NETWORK_IS_ACTIVE: [asIntBool(1, true), asIntBool(0, false)],
  NETWORK_IS_PERSISTENT: [asIntBool(1, true), asIntBool(0, false)],
  NETWORK_GET_DHCP_LEASES: [
    { build: (w) => void w.uint(0).uint(0), expect: { leases: [], count: 0 }, size: 8 },
    {
      build: (w) => {
        w.uint(2);
        w.string('virbr0').hyper(1_800_000_000n).int(0).uint(1).string('52:54:00:00:00:01').uint(0).string('10.0.0.5').uint(24)
          .uint(1).string('vm1').uint(0);
        w.string('virbr0').hyper(-1n).int(1).uint(0).uint(1).string('iaid').string('fd00::5').uint(64).uint(0).uint(1).string('duid');
        w.uint(2);
      },
      expect: {
        leases: [
          { iface: 'virbr0', expiryTime: 1_800_000_000n, type: 0, mac: '52:54:00:00:00:01', iaid: null, ipaddr: '10.0.0.5', prefix: 24, hostname: 'vm1', clientId: null },
          { iface: 'virbr0', expiryTime: -1n, type: 1, mac: null, iaid: 'iaid', ipaddr: 'fd00::5', prefix: 64, hostname: null, clientId: 'duid' },
        ],
        count: 2,
      },
    },
  ],
  STORAGE_POOL_LOOKUP_BY_TARGET_PATH: [{ build: (w) => wNamed(w, POOL), expect: POOL }],
  DOMAIN_SNAPSHOT_CREATE_XML: [{ build: (w) => wSnap(w, SNAP), expect: SNAP }],
  DOMAIN_SNAPSHOT_GET_XML_DESC: [asString('<domainsnapshot><name>before-upgrade</name></domainsnapshot>')],
  DOMAIN_SNAPSHOT_LOOKUP_BY_NAME: [{ build: (w) => wSnap(w, SNAP), expect: SNAP }],
  DOMAIN_HAS_CURRENT_SNAPSHOT: [{ build: (w) => void w.int(1), expect: true, size: 4 }, { build: (w) => void w.int(0), expect: false }],
  DOMAIN_SNAPSHOT_CURRENT: [{ build: (w) => wSnap(w, SNAP), expect: SNAP }],
  DOMAIN_REVERT_TO_SNAPSHOT: VOID_REPLY,
  DOMAIN_SNAPSHOT_DELETE: VOID_REPLY,
  DOMAIN_LIST_ALL_SNAPSHOTS: [
    { build: (w) => void w.uint(0).int(0), expect: [], size: 8 },
    { build: (w) => { w.uint(2); wSnap(w, SNAP); wSnap(w, { name: 'b', dom: DOM }); w.int(2); }, expect: [SNAP, { name: 'b', dom: DOM }] },
  ],
  DOMAIN_OPEN_CONSOLE: VOID_REPLY,
  DOMAIN_SCREENSHOT: [
    { build: (w) => void w.uint(1).string('image/png'), expect: 'image/png' },
    { build: (w) => void w.uint(0), expect: null, size: 4 },
  ],
  DOMAIN_INTERFACE_ADDRESSES: [
    { build: (w) => void w.uint(0), expect: [], size: 4 },
    {
      build: (w) => {
        w.uint(2);
        w.string('lo').uint(1).string('00:00:00:00:00:00').uint(2).int(0).string('127.0.0.1').uint(8).int(1).string('::1').uint(128);
        w.string('eth0').uint(0).uint(0);
      },
      expect: [
        { name: 'lo', hwaddr: '00:00:00:00:00:00', addrs: [{ type: 0, addr: '127.0.0.1', prefix: 8 }, { type: 1, addr: '::1', prefix: 128 }] },
        { name: 'eth0', hwaddr: null, addrs: [] },
      ],
    },
  ],
};

describe('procedure replies follow remote_protocol.x', () => {
  for (const name of PROC_NAMES) {
    const samples = REPLIES[name] as ReplySample<unknown>[];
    test(`${name}: reply decodes to the expected value`, () => {
      assert.ok(samples.length > 0);
      for (const s of samples) {
        const payload = s.build ? xdr(s.build) : Buffer.alloc(0);
        if (s.size !== undefined) assert.equal(payload.length, s.size, `${name} reply size`);
        assert.deepEqual(decodeReply(anyProc(name), payload), s.expect);
      }
    });

    test(`${name}: trailing bytes and truncation are XdrDecodeErrors`, () => {
      for (const s of samples) {
        const payload = s.build ? xdr(s.build) : Buffer.alloc(0);
        assert.throws(() => decodeReply(anyProc(name), Buffer.concat([payload, Buffer.alloc(4)])), XdrDecodeError, 'trailing word');
        assert.throws(() => decodeReply(anyProc(name), Buffer.concat([payload, Buffer.alloc(1)])), XdrDecodeError, 'trailing byte');
        for (let cut = 0; cut < payload.length; cut++) {
          assert.throws(() => decodeReply(anyProc(name), payload.subarray(0, cut)), XdrDecodeError, `cut at ${cut}`);
        }
      }
    });
  }
});

describe('reply details', () => {
  test('DOMAIN_INTERFACE_ADDRESSES: ifaces<2048> of {name, hwaddr (remote_string), addrs<2048> of {type, addr, prefix}}, byte for byte', () => {
    // One interface "eth0", hwaddr present "52:54:00:01:02:03", one IPv4 address 10.0.0.5/24; no count after the array.
    const payload = hex(`
      00000001
      00000004 65746830
      00000001 00000011 35323a35 343a3030 3a30313a 30323a30 33000000
      00000001 00000000 00000008 31302e30 2e302e35 00000018`);
    assert.deepEqual(decodeReply(Proc.DOMAIN_INTERFACE_ADDRESSES, payload), [
      { name: 'eth0', hwaddr: '52:54:00:01:02:03', addrs: [{ type: 0, addr: '10.0.0.5', prefix: 24 }] },
    ]);
    assert.deepEqual(encodeArgs(Proc.DOMAIN_INTERFACE_ADDRESSES, { dom: DOM, source: 1, flags: 0 }),
      hex('00000004 74657374 6695eb01 f6a48304 79aa97f2 502e193f 00000001 00000001 00000000'));
  });

  test('DOMAIN_INTERFACE_ADDRESSES: more than 2048 interfaces or addresses are refused', () => {
    assert.throws(() => decodeReply(Proc.DOMAIN_INTERFACE_ADDRESSES, hex('00000801')), XdrDecodeError);
    const addrs = hex('00000001 00000002 6c6f0000 00000000 00000801');
    assert.throws(() => decodeReply(Proc.DOMAIN_INTERFACE_ADDRESSES, addrs), XdrDecodeError);
  });

  test('NODE_GET_INFO: model chars above 127 arrive sign-extended and decode as Latin-1', () => {
    const payload = xdr((w) => nodeInfo([0x43, (0xe9 << 24) >> 24, 0x41], w));
    assert.equal(payload.length, 160);
    assert.equal(decodeReply(Proc.NODE_GET_INFO, payload).model, 'CéA');
  });

  test('DOMAIN_GET_INFO: state is an unsigned char and nrVirtCpu an unsigned short, each in a 4-byte word', () => {
    const payload = hex('00000001 00000000 00200000 00000000 00100000 00000004 00000000 3b9aca00');
    assert.equal(payload.length, 32);
    assert.deepEqual(decodeReply(Proc.DOMAIN_GET_INFO, payload), {
      state: 1, maxMemKiB: 0x200000n, memoryKiB: 0x100000n, nrVirtCpu: 4, cpuTimeNs: 1_000_000_000n,
    });
  });

  test('typed parameters: a non-zero boolean is true; an unknown type is rejected', () => {
    const stats = (params: (w: XdrWriter) => void) => xdr((w) => { w.int(1).uint(1); params(w); });
    assert.deepEqual(decodeReply(Proc.DOMAIN_GET_JOB_STATS, stats((w) => void w.string('success').int(6).int(2))).params,
      [{ field: 'success', type: 'boolean', value: true }]);
    assert.throws(() => decodeReply(Proc.DOMAIN_GET_JOB_STATS, stats((w) => void w.string('x').int(8).int(0))), XdrDecodeError);
    assert.throws(() => decodeReply(Proc.DOMAIN_GET_JOB_STATS, stats((w) => void w.string('x').int(0).int(0))), XdrDecodeError);
  });

  test('typedParamsToRecord maps fields to values, last one wins', () => {
    assert.deepEqual(typedParamsToRecord([...EVERY_PARAM, { field: 'int', type: 'int', value: 5 }]), {
      int: 5, uint: 0xffffffff, llong: -(1n << 63n), ullong: (1n << 64n) - 1n, double: -0.125, boolean: true, string: 'tcp://10.0.0.2:49152',
    });
  });

  test('list bounds are enforced: AUTH_LIST > 20, JOB_STATS > 64, node stats > 16', () => {
    const ints = (n: number) => xdr((w) => void w.varArray(Array<number>(n).fill(0), n, (x, v) => void x.int(v)));
    assert.equal(decodeReply(Proc.AUTH_LIST, ints(20)).length, 20);
    assert.throws(() => decodeReply(Proc.AUTH_LIST, ints(21)), XdrDecodeError);
    const params = (n: number) => Array.from({ length: n }, (_, i): TypedParam => ({ field: `f${i}`, type: 'int', value: i }));
    assert.equal(decodeReply(Proc.DOMAIN_GET_JOB_STATS, xdr((w) => void w.int(1).varArray(params(64), 64, wTypedParam))).params.length, 64);
    assert.throws(() => decodeReply(Proc.DOMAIN_GET_JOB_STATS, xdr((w) => void w.int(1).varArray(params(65), 65, wTypedParam))), XdrDecodeError);
    const nodeStats = (n: number) => xdr((w) => void w.varArray(Array<string>(n).fill('f'), n, (x, f) => void x.string(f).uhyper(1n)).int(n));
    assert.equal(decodeReply(Proc.NODE_GET_MEMORY_STATS, nodeStats(16)).params.length, 16);
    assert.throws(() => decodeReply(Proc.NODE_GET_MEMORY_STATS, nodeStats(17)), XdrDecodeError);
    assert.throws(() => decodeReply(Proc.NODE_GET_CPU_STATS, nodeStats(17)), XdrDecodeError);
  });

  test('a domain count claiming more entries than the payload holds is rejected', () => {
    assert.throws(() => decodeReply(Proc.CONNECT_LIST_ALL_DOMAINS, hex('00004000 00000000')), XdrDecodeError);
    assert.throws(() => decodeReply(Proc.CONNECT_LIST_ALL_DOMAINS, hex('00004001 00000000')), XdrDecodeError);
  });
});

// ---- Events -----------------------------------------------------------------------------------

describe('event messages', () => {
  const lifecycle = xdr((w) => { w.int(4); wDom(w, DOM); w.int(5).int(1); });
  const reboot = xdr((w) => { w.int(2); wDom(w, DOM_INACTIVE); });

  test('lifecycle: callbackID, dom, event, detail', () => {
    assert.deepEqual(decodeLifecycleMessage(lifecycle), { callbackId: 4, dom: DOM, event: 5, detail: 1 });
    assert.equal(peekCallbackId(lifecycle), 4);
  });

  test('reboot: callbackID, dom', () => {
    assert.deepEqual(decodeRebootMessage(reboot), { callbackId: 2, dom: DOM_INACTIVE });
    assert.equal(peekCallbackId(reboot), 2);
  });

  test('event decoders reject trailing bytes and truncation', () => {
    assert.throws(() => decodeLifecycleMessage(Buffer.concat([lifecycle, Buffer.alloc(4)])), XdrDecodeError);
    assert.throws(() => decodeRebootMessage(Buffer.concat([reboot, Buffer.alloc(4)])), XdrDecodeError);
    for (let cut = 0; cut < lifecycle.length; cut++) assert.throws(() => decodeLifecycleMessage(lifecycle.subarray(0, cut)), XdrDecodeError);
    for (let cut = 0; cut < reboot.length; cut++) assert.throws(() => decodeRebootMessage(reboot.subarray(0, cut)), XdrDecodeError);
    assert.throws(() => peekCallbackId(Buffer.alloc(3)), XdrDecodeError);
  });

  test('a lifecycle payload is not a reboot payload (extra event/detail words)', () => {
    assert.throws(() => decodeRebootMessage(lifecycle), XdrDecodeError);
  });
});

// ---- remote_error -----------------------------------------------------------------------------

describe('remote_error', () => {
  /** The payload of the fact sheet's §4 example (its 28-byte header dropped). */
  const SHEET_ERROR = hex(`
    0000002a 0000000c
    00000001 00000010 446f6d61696e206e6f7420666f756e64
    00000002 00000000
    00000001 00000010 446f6d61696e206e6f7420666f756e64 00000000 00000000
    ffffffff ffffffff 00000000`);

  test('the fact sheet example: code 42, domain 12, "Domain not found", level 2', () => {
    const r = new XdrReader(SHEET_ERROR);
    const e = readRemoteError(r);
    r.finish('remote_error');
    assert.deepEqual(e, { code: 42, domain: 12, message: 'Domain not found', level: 2, str1: 'Domain not found', str2: null, str3: null, int1: -1, int2: -1 });
    const err = LibvirtError.fromRemote(e);
    assert.equal(err.code, 42);
    assert.equal(err.domain, 12);
    assert.equal(err.level, 2);
    assert.equal(err.message, 'Domain not found');
  });

  test('a non-NULL dom and net are consumed (and dropped)', () => {
    const payload = xdr((w) => {
      w.int(1).int(7).optional(null, (x, v: string) => void x.string(v)).int(1);
      w.optional(DOM, wDom);
      w.uint(0).optional('s2', (x, v) => void x.string(v)).uint(0).int(3).int(4);
      w.optional(NET, wNamed);
    });
    const r = new XdrReader(payload);
    assert.deepEqual(readRemoteError(r), { code: 1, domain: 7, message: null, level: 1, str1: null, str2: 's2', str3: null, int1: 3, int2: 4 });
    assert.equal(r.remaining, 0);
    assert.equal(LibvirtError.fromRemote(readRemoteError(new XdrReader(payload))).message, 'libvirt error 1');
  });

  test('every truncation of the example is an XdrDecodeError', () => {
    for (let cut = 0; cut < SHEET_ERROR.length; cut++) {
      assert.throws(() => readRemoteError(new XdrReader(SHEET_ERROR.subarray(0, cut))), XdrDecodeError, `cut at ${cut}`);
    }
  });
});
