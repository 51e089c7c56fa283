/**
 * Wire types shared by many procedures (remote_protocol.x, libvirt 9.0.0), with their codecs.
 */
import { XdrDecodeError, type XdrReader, type XdrWriter } from './xdr.ts';

/** REMOTE_STRING_MAX: the bound on every remote_nonnull_string. */
export const STRING_MAX = 4_194_304;
/** VIR_UUID_BUFLEN. */
export const UUID_LENGTH = 16;
/** REMOTE_DOMAIN_LIST_MAX. */
export const DOMAIN_LIST_MAX = 16_384;
/** REMOTE_MIGRATE_COOKIE_MAX. */
export const MIGRATE_COOKIE_MAX = 4_194_304;
/** REMOTE_DOMAIN_MIGRATE_PARAM_LIST_MAX and REMOTE_DOMAIN_JOB_STATS_MAX. */
export const TYPED_PARAM_LIST_MAX = 64;
/** REMOTE_CONNECT_GET_ALL_DOMAIN_STATS_MAX (parameters per record): 4096 in old releases, 262144 since. */
export const DOMAIN_STATS_PARAMS_MAX = 262_144;
/** REMOTE_NODE_MEMORY_STATS_MAX and REMOTE_NODE_CPU_STATS_MAX. */
export const NODE_STATS_MAX = 16;
/** REMOTE_NETWORK_DHCP_LEASES_MAX. */
export const DHCP_LEASES_MAX = 65_536;
/** REMOTE_DOMAIN_INTERFACE_MAX: interfaces in one DOMAIN_INTERFACE_ADDRESSES reply. */
export const DOMAIN_INTERFACE_MAX = 2048;
/** REMOTE_DOMAIN_IP_ADDR_MAX: addresses per interface. */
export const DOMAIN_IP_ADDR_MAX = 2048;
/** REMOTE_DOMAIN_SNAPSHOT_LIST_MAX: snapshots per listing. */
export const DOMAIN_SNAPSHOT_LIST_MAX = 1024;
/** REMOTE_AUTH_TYPE_LIST_MAX. */
export const AUTH_TYPE_LIST_MAX = 20;

/** remote_nonnull_domain: the daemon resolves it by UUID only; id is -1 when inactive. */
export interface DomainRef {
  name: string;
  uuid: Buffer;
  id: number;
}

/** remote_nonnull_network (also the shape of remote_nonnull_storage_pool). */
export interface NetworkRef {
  name: string;
  uuid: Buffer;
}

/** remote_nonnull_storage_pool. */
export type StoragePoolRef = NetworkRef;

/** remote_nonnull_storage_vol. */
export interface StorageVolRef {
  pool: string;
  name: string;
  key: string;
}

/** virTypedParameterType codes. */
export const TypedParamType = { INT: 1, UINT: 2, LLONG: 3, ULLONG: 4, DOUBLE: 5, BOOLEAN: 6, STRING: 7 } as const;

/** One virTypedParameter, discriminated by its wire type. */
export type TypedParam =
  | { field: string; type: 'int' | 'uint' | 'double'; value: number }
  | { field: string; type: 'llong' | 'ullong'; value: bigint }
  | { field: string; type: 'boolean'; value: boolean }
  | { field: string; type: 'string'; value: string };

/** Reads a remote_nonnull_string. */
export const readString = (r: XdrReader): string => r.string(STRING_MAX);
/** Writes a remote_nonnull_string. */
export const writeString = (w: XdrWriter, v: string): void => void w.string(v, STRING_MAX);
/** Reads a remote_string (optional). */
export const readOptString = (r: XdrReader): string | null => r.optional(readString);
/** Writes a remote_string (optional). */
export const writeOptString = (w: XdrWriter, v: string | null | undefined): void => void w.optional(v, writeString);

/** Reads a remote_nonnull_domain. */
export function readDomain(r: XdrReader): DomainRef {
  return { name: readString(r), uuid: r.fixedOpaque(UUID_LENGTH), id: r.int() };
}

/** A domain snapshot by name (remote_nonnull_domain_snapshot: name, then its domain). */
export interface SnapshotRef {
  name: string;
  dom: DomainRef;
}

/** Reads a remote_nonnull_domain_snapshot. */
export function readSnapshot(r: XdrReader): SnapshotRef {
  return { name: readString(r), dom: readDomain(r) };
}

/** Writes a remote_nonnull_domain_snapshot. */
export function writeSnapshot(w: XdrWriter, s: SnapshotRef): void {
  writeString(w, s.name);
  writeDomain(w, s.dom);
}

/** Writes a remote_nonnull_domain. */
export function writeDomain(w: XdrWriter, d: DomainRef): void {
  writeString(w, d.name);
  w.fixedOpaque(d.uuid, UUID_LENGTH);
  w.int(d.id);
}

/** Reads a remote_nonnull_network or remote_nonnull_storage_pool. */
export function readNamedUuid(r: XdrReader): NetworkRef {
  return { name: readString(r), uuid: r.fixedOpaque(UUID_LENGTH) };
}

/** Writes a remote_nonnull_network or remote_nonnull_storage_pool. */
export function writeNamedUuid(w: XdrWriter, n: NetworkRef): void {
  writeString(w, n.name);
  w.fixedOpaque(n.uuid, UUID_LENGTH);
}

/** Reads a remote_nonnull_storage_vol. */
export function readStorageVol(r: XdrReader): StorageVolRef {
  return { pool: readString(r), name: readString(r), key: readString(r) };
}

/** Writes a remote_nonnull_storage_vol. */
export function writeStorageVol(w: XdrWriter, v: StorageVolRef): void {
  writeString(w, v.pool);
  writeString(w, v.name);
  writeString(w, v.key);
}

/** Reads a remote_typed_param. */
export function readTypedParam(r: XdrReader): TypedParam {
  const field = readString(r);
  const type = r.int();
  switch (type) {
    case TypedParamType.INT: return { field, type: 'int', value: r.int() };
    case TypedParamType.UINT: return { field, type: 'uint', value: r.uint() };
    case TypedParamType.LLONG: return { field, type: 'llong', value: r.hyper() };
    case TypedParamType.ULLONG: return { field, type: 'ullong', value: r.uhyper() };
    case TypedParamType.DOUBLE: return { field, type: 'double', value: r.double() };
    case TypedParamType.BOOLEAN: return { field, type: 'boolean', value: r.int() !== 0 };
    case TypedParamType.STRING: return { field, type: 'string', value: readString(r) };
    default: throw new XdrDecodeError(`typed parameter '${field}' has unknown type ${type}`);
  }
}

/** Writes a remote_typed_param. */
export function writeTypedParam(w: XdrWriter, p: TypedParam): void {
  writeString(w, p.field);
  switch (p.type) {
    case 'int': w.int(TypedParamType.INT).int(p.value); break;
    case 'uint': w.int(TypedParamType.UINT).uint(p.value); break;
    case 'llong': w.int(TypedParamType.LLONG).hyper(p.value); break;
    case 'ullong': w.int(TypedParamType.ULLONG).uhyper(p.value); break;
    case 'double': w.int(TypedParamType.DOUBLE).double(p.value); break;
    case 'boolean': w.int(TypedParamType.BOOLEAN).int(p.value ? 1 : 0); break;
    case 'string': w.int(TypedParamType.STRING); writeString(w, p.value); break;
  }
}

/** Typed parameters as a plain record (field → value), last one wins. */
export function typedParamsToRecord(params: readonly TypedParam[]): Record<string, number | bigint | boolean | string> {
  const out: Record<string, number | bigint | boolean | string> = {};
  for (const p of params) out[p.field] = p.value;
  return out;
}

/** The decoded remote_error of an error reply. */
export interface RemoteError {
  code: number;
  domain: number;
  message: string | null;
  level: number;
  str1: string | null;
  str2: string | null;
  str3: string | null;
  int1: number;
  int2: number;
}

/** Reads a remote_error; the dom and net fields are decoded and dropped (always NULL in practice). */
export function readRemoteError(r: XdrReader): RemoteError {
  const code = r.int();
  const domain = r.int();
  const message = readOptString(r);
  const level = r.int();
  r.optional(readDomain);
  const str1 = readOptString(r);
  const str2 = readOptString(r);
  const str3 = readOptString(r);
  const int1 = r.int();
  const int2 = r.int();
  r.optional(readNamedUuid);
  return { code, domain, message, level, str1, str2, str3, int1, int2 };
}

/** Writes a remote_error (used by fakes and tests). */
export function writeRemoteError(w: XdrWriter, e: RemoteError): void {
  w.int(e.code).int(e.domain);
  writeOptString(w, e.message);
  w.int(e.level).uint(0);
  writeOptString(w, e.str1);
  writeOptString(w, e.str2);
  writeOptString(w, e.str3);
  w.int(e.int1).int(e.int2).uint(0);
}

/** Formats a UUID buffer as the canonical 8-4-4-4-12 text. */
export function uuidToString(uuid: Uint8Array): string {
  const hex = Buffer.from(uuid).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Parses canonical UUID text (dashes optional) into 16 bytes, or null when malformed. */
export function uuidFromString(text: string): Buffer | null {
  const hex = text.replace(/-/g, '');
  return /^[0-9a-fA-F]{32}$/.test(hex) ? Buffer.from(hex, 'hex') : null;
}
