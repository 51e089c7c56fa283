/**
 * REMOTE program procedures: number, argument encoder and reply decoder for each call the agent
 * makes (remote_protocol.x; every number probed against libvirtd 9.0.0).
 */
import { XdrReader, XdrWriter } from './xdr.ts';
import {
  AUTH_TYPE_LIST_MAX, DHCP_LEASES_MAX, DOMAIN_SNAPSHOT_LIST_MAX, DOMAIN_INTERFACE_MAX, DOMAIN_IP_ADDR_MAX, DOMAIN_LIST_MAX, DOMAIN_STATS_PARAMS_MAX, MIGRATE_COOKIE_MAX, NODE_STATS_MAX,
  TYPED_PARAM_LIST_MAX, UUID_LENGTH, readDomain, readNamedUuid, readStorageVol, readString,
  readOptString, readSnapshot, readTypedParam, writeDomain, writeSnapshot, writeNamedUuid, writeOptString, writeStorageVol, writeString, writeTypedParam,
  type DomainRef, type NetworkRef, type SnapshotRef, type StoragePoolRef, type StorageVolRef, type TypedParam,
} from './types.ts';

/** One procedure: its number and how to encode its arguments and decode its reply. */
export interface Procedure<A, R> {
  name: string;
  proc: number;
  encode(w: XdrWriter, args: A): void;
  decode(r: XdrReader): R;
}

const none = (): void => {};

function define<A, R>(name: string, proc: number, encode: (w: XdrWriter, a: A) => void, decode: (r: XdrReader) => R): Procedure<A, R> {
  return { name, proc, encode, decode };
}

/** Encodes a procedure's arguments to a payload. */
export function encodeArgs<A>(p: Procedure<A, unknown>, args: A): Buffer {
  const w = new XdrWriter();
  p.encode(w, args);
  return w.toBuffer();
}

/** Decodes a procedure's reply payload, requiring every byte to be used. */
export function decodeReply<R>(p: Procedure<unknown, R>, payload: Buffer): R {
  const r = new XdrReader(payload);
  const value = p.decode(r);
  r.finish(p.name);
  return value;
}

const dom = (w: XdrWriter, d: DomainRef) => writeDomain(w, d);
const domFlags = (w: XdrWriter, a: { dom: DomainRef; flags: number }) => { writeDomain(w, a.dom); w.uint(a.flags); };
const str = (w: XdrWriter, s: string) => writeString(w, s);
const snapFlags = (w: XdrWriter, a: { snap: SnapshotRef; flags: number }) => { writeSnapshot(w, a.snap); w.uint(a.flags); };
const int = (w: XdrWriter, v: number) => void w.int(v);
const uhyper = (r: XdrReader) => r.uhyper();
const intRet = (r: XdrReader) => r.int();

// remote_node_get_memory_stats / cpu_stats: {field, value} pairs, then nparams.
const readNodeStats = (r: XdrReader) => {
  const params = r.varArray(NODE_STATS_MAX, (x): { field: string; value: bigint } => ({ field: readString(x), value: x.uhyper() }));
  return { params, nparams: r.int() };
};

/** remote_node_get_info_ret. */
export interface NodeInfo { model: string; memoryKiB: bigint; cpus: number; mhz: number; nodes: number; sockets: number; cores: number; threads: number }
/** remote_domain_get_info_ret. */
export interface DomainInfo { state: number; maxMemKiB: bigint; memoryKiB: bigint; nrVirtCpu: number; cpuTimeNs: bigint }
/** remote_domain_get_job_info_ret: times in ms, sizes in bytes. */
export interface JobInfo {
  type: number; timeElapsed: bigint; timeRemaining: bigint; dataTotal: bigint; dataProcessed: bigint;
  dataRemaining: bigint; memTotal: bigint; memProcessed: bigint; memRemaining: bigint; fileTotal: bigint;
  fileProcessed: bigint; fileRemaining: bigint;
}
/** remote_network_dhcp_lease: one lease dnsmasq holds (expiryTime in seconds since the epoch). */
export interface DhcpLease {
  iface: string; expiryTime: bigint; type: number; mac: string | null; iaid: string | null; ipaddr: string;
  prefix: number; hostname: string | null; clientId: string | null;
}
/** remote_domain_ip_addr: type 0 is IPv4, 1 IPv6 (virIPAddrType). */
export interface DomainIpAddress { type: number; addr: string; prefix: number }
/** remote_domain_interface: one guest interface as DOMAIN_INTERFACE_ADDRESSES reports it. */
export interface DomainInterface { name: string; hwaddr: string | null; addrs: DomainIpAddress[] }
/** One record of CONNECT_GET_ALL_DOMAIN_STATS. */
export interface DomainStatsRecord { dom: DomainRef; params: TypedParam[] }

function readNodeInfo(r: XdrReader): NodeInfo {
  // char model[32]: each char travels as a 4-byte word (128 bytes), NUL-terminated.
  const chars = r.fixedArray(32, (x) => x.int());
  const end = chars.indexOf(0);
  const model = Buffer.from(chars.slice(0, end < 0 ? 32 : end).map((c) => c & 0xff)).toString('latin1');
  return { model, memoryKiB: r.uhyper(), cpus: r.int(), mhz: r.int(), nodes: r.int(), sockets: r.int(), cores: r.int(), threads: r.int() };
}

function readJobInfo(r: XdrReader): JobInfo {
  const type = r.int();
  const [timeElapsed, timeRemaining, dataTotal, dataProcessed, dataRemaining, memTotal, memProcessed,
    memRemaining, fileTotal, fileProcessed, fileRemaining] = r.fixedArray(11, uhyper) as [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint];
  return { type, timeElapsed, timeRemaining, dataTotal, dataProcessed, dataRemaining, memTotal, memProcessed, memRemaining, fileTotal, fileProcessed, fileRemaining };
}

const readTypedParams = (r: XdrReader) => r.varArray(TYPED_PARAM_LIST_MAX, readTypedParam);

function readDhcpLease(r: XdrReader): DhcpLease {
  return {
    iface: readString(r), expiryTime: r.hyper(), type: r.int(), mac: readOptString(r), iaid: readOptString(r),
    ipaddr: readString(r), prefix: r.uint(), hostname: readOptString(r), clientId: readOptString(r),
  };
}

function readDomainInterface(r: XdrReader): DomainInterface {
  const name = readString(r);
  const hwaddr = readOptString(r);
  const addrs = r.varArray(DOMAIN_IP_ADDR_MAX, (x): DomainIpAddress => ({ type: x.int(), addr: readString(x), prefix: x.uint() }));
  return { name, hwaddr, addrs };
}

const net = (w: XdrWriter, n: NetworkRef) => writeNamedUuid(w, n);
const poolFlags = (w: XdrWriter, a: { pool: StoragePoolRef; flags: number }) => { writeNamedUuid(w, a.pool); w.uint(a.flags); };
const boolRet = (r: XdrReader) => r.int() !== 0;

/** The procedures, by libvirt's names (REMOTE_PROC_*). */
export const Proc = {
  CONNECT_OPEN: define('CONNECT_OPEN', 1, (w, a: { name: string; flags: number }) => { writeOptString(w, a.name); w.uint(a.flags); }, none),
  CONNECT_CLOSE: define('CONNECT_CLOSE', 2, none, none),
  CONNECT_GET_TYPE: define('CONNECT_GET_TYPE', 3, none, readString),
  CONNECT_GET_VERSION: define('CONNECT_GET_VERSION', 4, none, uhyper),
  NODE_GET_INFO: define('NODE_GET_INFO', 6, none, readNodeInfo),
  CONNECT_GET_CAPABILITIES: define('CONNECT_GET_CAPABILITIES', 7, none, readString),
  DOMAIN_CREATE_XML: define('DOMAIN_CREATE_XML', 10, (w, a: { xml: string; flags: number }) => { writeString(w, a.xml); w.uint(a.flags); }, readDomain),
  DOMAIN_GET_XML_DESC: define('DOMAIN_GET_XML_DESC', 14, domFlags, readString),
  DOMAIN_GET_AUTOSTART: define('DOMAIN_GET_AUTOSTART', 15, dom, (r) => r.int() !== 0),
  DOMAIN_GET_INFO: define('DOMAIN_GET_INFO', 16, dom, (r): DomainInfo => ({
    state: r.int() & 0xff, maxMemKiB: r.uhyper(), memoryKiB: r.uhyper(), nrVirtCpu: r.int() & 0xffff, cpuTimeNs: r.uhyper(),
  })),
  DOMAIN_LOOKUP_BY_NAME: define('DOMAIN_LOOKUP_BY_NAME', 23, str, readDomain),
  DOMAIN_LOOKUP_BY_UUID: define('DOMAIN_LOOKUP_BY_UUID', 24, (w, uuid: Buffer) => void w.fixedOpaque(uuid, UUID_LENGTH), readDomain),
  DOMAIN_REBOOT: define('DOMAIN_REBOOT', 27, domFlags, none),
  DOMAIN_RESUME: define('DOMAIN_RESUME', 28, dom, none),
  DOMAIN_SET_AUTOSTART: define('DOMAIN_SET_AUTOSTART', 29, (w, a: { dom: DomainRef; autostart: boolean }) => { writeDomain(w, a.dom); w.int(a.autostart ? 1 : 0); }, none),
  DOMAIN_SUSPEND: define('DOMAIN_SUSPEND', 34, dom, none),
  NETWORK_CREATE: define('NETWORK_CREATE', 39, net, none),
  NETWORK_DEFINE_XML: define('NETWORK_DEFINE_XML', 41, str, readNamedUuid),
  NETWORK_DESTROY: define('NETWORK_DESTROY', 42, net, none),
  NETWORK_GET_XML_DESC: define('NETWORK_GET_XML_DESC', 43, (w, a: { net: NetworkRef; flags: number }) => { writeNamedUuid(w, a.net); w.uint(a.flags); }, readString),
  NETWORK_LOOKUP_BY_NAME: define('NETWORK_LOOKUP_BY_NAME', 46, str, readNamedUuid),
  NETWORK_UNDEFINE: define('NETWORK_UNDEFINE', 49, net, none),
  CONNECT_GET_HOSTNAME: define('CONNECT_GET_HOSTNAME', 59, none, readString),
  CONNECT_SUPPORTS_FEATURE: define('CONNECT_SUPPORTS_FEATURE', 60, int, (r) => r.int() !== 0),
  AUTH_LIST: define('AUTH_LIST', 66, none, (r) => r.varArray(AUTH_TYPE_LIST_MAX, intRet)),
  AUTH_POLKIT: define('AUTH_POLKIT', 70, none, (r) => r.int() !== 0),
  STORAGE_POOL_CREATE_XML: define('STORAGE_POOL_CREATE_XML', 76, (w, a: { xml: string; flags: number }) => { writeString(w, a.xml); w.uint(a.flags); }, readNamedUuid),
  STORAGE_POOL_DESTROY: define('STORAGE_POOL_DESTROY', 80, writeNamedUuid, none),
  STORAGE_POOL_REFRESH: define('STORAGE_POOL_REFRESH', 83, poolFlags, none),
  STORAGE_POOL_LOOKUP_BY_NAME: define('STORAGE_POOL_LOOKUP_BY_NAME', 84, str, readNamedUuid),
  STORAGE_POOL_GET_XML_DESC: define('STORAGE_POOL_GET_XML_DESC', 88, poolFlags, readString),
  STORAGE_VOL_CREATE_XML: define('STORAGE_VOL_CREATE_XML', 93, (w, a: { pool: StoragePoolRef; xml: string; flags: number }) => { writeNamedUuid(w, a.pool); writeString(w, a.xml); w.uint(a.flags); }, readStorageVol),
  STORAGE_VOL_DELETE: define('STORAGE_VOL_DELETE', 94, (w, a: { vol: StorageVolRef; flags: number }) => { writeStorageVol(w, a.vol); w.uint(a.flags); }, none),
  STORAGE_VOL_LOOKUP_BY_NAME: define('STORAGE_VOL_LOOKUP_BY_NAME', 95, (w, a: { pool: StoragePoolRef; name: string }) => { writeNamedUuid(w, a.pool); writeString(w, a.name); }, readStorageVol),
  STORAGE_VOL_LOOKUP_BY_PATH: define('STORAGE_VOL_LOOKUP_BY_PATH', 97, str, readStorageVol),
  STORAGE_VOL_GET_XML_DESC: define('STORAGE_VOL_GET_XML_DESC', 99, (w, a: { vol: StorageVolRef; flags: number }) => { writeStorageVol(w, a.vol); w.uint(a.flags); }, readString),
  STORAGE_VOL_GET_PATH: define('STORAGE_VOL_GET_PATH', 100, writeStorageVol, readString),
  NODE_GET_FREE_MEMORY: define('NODE_GET_FREE_MEMORY', 102, none, uhyper),
  CONNECT_GET_URI: define('CONNECT_GET_URI', 110, none, readString),
  DOMAIN_IS_PERSISTENT: define('DOMAIN_IS_PERSISTENT', 151, dom, boolRet),
  NETWORK_IS_ACTIVE: define('NETWORK_IS_ACTIVE', 152, net, boolRet),
  NETWORK_IS_PERSISTENT: define('NETWORK_IS_PERSISTENT', 153, net, boolRet),
  CONNECT_GET_LIB_VERSION: define('CONNECT_GET_LIB_VERSION', 157, none, uhyper),
  DOMAIN_GET_JOB_INFO: define('DOMAIN_GET_JOB_INFO', 163, dom, readJobInfo),
  DOMAIN_ABORT_JOB: define('DOMAIN_ABORT_JOB', 164, dom, none),
  DOMAIN_CREATE_WITH_FLAGS: define('DOMAIN_CREATE_WITH_FLAGS', 196, domFlags, readDomain),
  // Opens a stream: the guest's console bytes both ways (dev_name NULL: the first console).
  DOMAIN_SNAPSHOT_CREATE_XML: define('DOMAIN_SNAPSHOT_CREATE_XML', 185, (w, a: { dom: DomainRef; xml: string; flags: number }) => {
    writeDomain(w, a.dom); writeString(w, a.xml); w.uint(a.flags);
  }, readSnapshot),
  DOMAIN_SNAPSHOT_GET_XML_DESC: define('DOMAIN_SNAPSHOT_GET_XML_DESC', 186, snapFlags, readString),
  DOMAIN_SNAPSHOT_LOOKUP_BY_NAME: define('DOMAIN_SNAPSHOT_LOOKUP_BY_NAME', 189, (w, a: { dom: DomainRef; name: string; flags: number }) => {
    writeDomain(w, a.dom); writeString(w, a.name); w.uint(a.flags);
  }, readSnapshot),
  DOMAIN_HAS_CURRENT_SNAPSHOT: define('DOMAIN_HAS_CURRENT_SNAPSHOT', 190, domFlags, (r) => r.int() !== 0),
  DOMAIN_SNAPSHOT_CURRENT: define('DOMAIN_SNAPSHOT_CURRENT', 191, domFlags, readSnapshot),
  DOMAIN_REVERT_TO_SNAPSHOT: define('DOMAIN_REVERT_TO_SNAPSHOT', 192, snapFlags, none),
  DOMAIN_SNAPSHOT_DELETE: define('DOMAIN_SNAPSHOT_DELETE', 193, snapFlags, none),
  DOMAIN_OPEN_CONSOLE: define('DOMAIN_OPEN_CONSOLE', 201, (w, a: { dom: DomainRef; devName: string | null; flags: number }) => {
    writeDomain(w, a.dom); writeOptString(w, a.devName); w.uint(a.flags);
  }, none),
  // Opens a download stream of the image, in the format the reply's MIME type names.
  DOMAIN_SCREENSHOT: define('DOMAIN_SCREENSHOT', 211, (w, a: { dom: DomainRef; screen: number; flags: number }) => {
    writeDomain(w, a.dom); w.uint(a.screen).uint(a.flags);
  }, (r) => readOptString(r)),
  DOMAIN_GET_STATE: define('DOMAIN_GET_STATE', 212, domFlags, (r) => ({ state: r.int(), reason: r.int() })),
  NODE_GET_CPU_STATS: define('NODE_GET_CPU_STATS', 227, (w, a: { cpuNum: number; nparams: number; flags: number }) => { w.int(a.cpuNum).int(a.nparams).uint(a.flags); }, readNodeStats),
  NODE_GET_MEMORY_STATS: define('NODE_GET_MEMORY_STATS', 228, (w, a: { nparams: number; cellNum: number; flags: number }) => { w.int(a.nparams).int(a.cellNum).uint(a.flags); }, readNodeStats),
  DOMAIN_UNDEFINE_FLAGS: define('DOMAIN_UNDEFINE_FLAGS', 231, domFlags, none),
  DOMAIN_DESTROY_FLAGS: define('DOMAIN_DESTROY_FLAGS', 234, domFlags, none),
  DOMAIN_RESET: define('DOMAIN_RESET', 245, domFlags, none),
  DOMAIN_SHUTDOWN_FLAGS: define('DOMAIN_SHUTDOWN_FLAGS', 258, domFlags, none),
  CONNECT_LIST_ALL_DOMAINS: define('CONNECT_LIST_ALL_DOMAINS', 273, (w, a: { needResults: boolean; flags: number }) => { w.int(a.needResults ? 1 : 0).uint(a.flags); },
    (r) => ({ domains: r.varArray(DOMAIN_LIST_MAX, readDomain), count: r.uint() })),
  NETWORK_UPDATE: define('NETWORK_UPDATE', 291, (w, a: { net: NetworkRef; command: number; section: number; parentIndex: number; xml: string; flags: number }) => {
    writeNamedUuid(w, a.net); w.uint(a.command).uint(a.section).int(a.parentIndex); writeString(w, a.xml); w.uint(a.flags);
  }, none),
  DOMAIN_GET_JOB_STATS: define('DOMAIN_GET_JOB_STATS', 298, domFlags, (r) => ({ type: r.int(), params: readTypedParams(r) })),
  DOMAIN_MIGRATE_PERFORM3_PARAMS: define('DOMAIN_MIGRATE_PERFORM3_PARAMS', 305,
    (w, a: { dom: DomainRef; dconnuri: string | null; params: TypedParam[]; cookieIn: Buffer; flags: number }) => {
      writeDomain(w, a.dom); writeOptString(w, a.dconnuri);
      w.varArray(a.params, TYPED_PARAM_LIST_MAX, writeTypedParam).varOpaque(a.cookieIn, MIGRATE_COOKIE_MAX).uint(a.flags);
    }, (r) => r.varOpaque(MIGRATE_COOKIE_MAX)),
  CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY: define('CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY', 316,
    (w, a: { eventId: number; dom: DomainRef | null }) => { w.int(a.eventId).optional(a.dom, writeDomain); }, intRet),
  CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY: define('CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY', 317, int, none),
  NETWORK_GET_DHCP_LEASES: define('NETWORK_GET_DHCP_LEASES', 341, (w, a: { net: NetworkRef; mac: string | null; needResults: boolean; flags: number }) => {
    writeNamedUuid(w, a.net); writeOptString(w, a.mac); w.int(a.needResults ? 1 : 0).uint(a.flags);
  }, (r) => ({ leases: r.varArray(DHCP_LEASES_MAX, readDhcpLease), count: r.uint() })),
  CONNECT_GET_ALL_DOMAIN_STATS: define('CONNECT_GET_ALL_DOMAIN_STATS', 344, (w, a: { doms: DomainRef[]; stats: number; flags: number }) => {
    w.varArray(a.doms, DOMAIN_LIST_MAX, writeDomain).uint(a.stats).uint(a.flags);
  }, (r) => r.varArray(DOMAIN_LIST_MAX, (x): DomainStatsRecord => ({ dom: readDomain(x), params: x.varArray(DOMAIN_STATS_PARAMS_MAX, readTypedParam) }))),
  // remote_domain_list_all_snapshots_ret: the snapshots, then an int count.
  DOMAIN_LIST_ALL_SNAPSHOTS: define('DOMAIN_LIST_ALL_SNAPSHOTS', 274, (w, a: { dom: DomainRef; flags: number }) => {
    writeDomain(w, a.dom); w.int(1).uint(a.flags);
  }, (r) => { const snapshots = r.varArray(DOMAIN_SNAPSHOT_LIST_MAX, readSnapshot); r.int(); return snapshots; }),
  DOMAIN_DEFINE_XML_FLAGS: define('DOMAIN_DEFINE_XML_FLAGS', 350, (w, a: { xml: string; flags: number }) => { writeString(w, a.xml); w.uint(a.flags); }, readDomain),
  DOMAIN_INTERFACE_ADDRESSES: define('DOMAIN_INTERFACE_ADDRESSES', 353, (w, a: { dom: DomainRef; source: number; flags: number }) => {
    writeDomain(w, a.dom); w.uint(a.source).uint(a.flags);
  }, (r) => r.varArray(DOMAIN_INTERFACE_MAX, readDomainInterface)),
  STORAGE_POOL_LOOKUP_BY_TARGET_PATH: define('STORAGE_POOL_LOOKUP_BY_TARGET_PATH', 391, str, readNamedUuid),
  DOMAIN_ABORT_JOB_FLAGS: define('DOMAIN_ABORT_JOB_FLAGS', 442, domFlags, none),
} as const;

/** Server-to-client event messages (type MESSAGE), by procedure number. */
export const EventProc = {
  LIFECYCLE: 318,
  REBOOT: 319,
  AGENT_LIFECYCLE: 348,
} as const;

/** A decoded DOMAIN_EVENT_CALLBACK_LIFECYCLE message. */
export interface LifecycleMessage { callbackId: number; dom: DomainRef; event: number; detail: number }
/** A decoded DOMAIN_EVENT_CALLBACK_REBOOT message. */
export interface RebootMessage { callbackId: number; dom: DomainRef }

/** Decodes a lifecycle event payload. */
export function decodeLifecycleMessage(payload: Buffer): LifecycleMessage {
  const r = new XdrReader(payload);
  const msg = { callbackId: r.int(), dom: readDomain(r), event: r.int(), detail: r.int() };
  r.finish('DOMAIN_EVENT_CALLBACK_LIFECYCLE');
  return msg;
}

/** Decodes a reboot event payload. */
export function decodeRebootMessage(payload: Buffer): RebootMessage {
  const r = new XdrReader(payload);
  const msg = { callbackId: r.int(), dom: readDomain(r) };
  r.finish('DOMAIN_EVENT_CALLBACK_REBOOT');
  return msg;
}

/** A decoded DOMAIN_EVENT_CALLBACK_AGENT_LIFECYCLE message: state 1 connected, 2 disconnected. */
export interface AgentLifecycleMessage { callbackId: number; dom: DomainRef; state: number; reason: number }

/** Decodes remote_domain_event_callback_agent_lifecycle_msg {callbackID, dom, state, reason}. */
export function decodeAgentLifecycleMessage(payload: Buffer): AgentLifecycleMessage {
  const r = new XdrReader(payload);
  const msg = { callbackId: r.int(), dom: readDomain(r), state: r.int(), reason: r.int() };
  r.finish('DOMAIN_EVENT_CALLBACK_AGENT_LIFECYCLE');
  return msg;
}

/** Reads just the callbackID that leads every callback-style event message. */
export function peekCallbackId(payload: Buffer): number {
  return new XdrReader(payload).int();
}

