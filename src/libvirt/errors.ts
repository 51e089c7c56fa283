/**
 * Errors raised by the libvirt client: what the daemon said (LibvirtError) and the daemon being
 * out of reach (LibvirtUnavailableError).
 */
import type { Packet } from './packet.ts';
import { readRemoteError, type RemoteError } from './types.ts';
import { XdrReader } from './xdr.ts';

/** virErrorNumber values the agent tells apart (include/libvirt/virterror.h). */
export const ErrorCode = {
  INTERNAL_ERROR: 1,
  NO_SUPPORT: 3,
  INVALID_ARG: 8,
  OPERATION_FAILED: 9,
  XML_ERROR: 27,
  XML_DETAIL: 35,
  DOM_EXIST: 28,
  OPERATION_DENIED: 29,
  SYSTEM_ERROR: 38,
  RPC: 39,
  NO_DOMAIN: 42,
  NO_NETWORK: 43,
  AUTH_FAILED: 45,
  NO_STORAGE_POOL: 49,
  NO_STORAGE_VOL: 50,
  OPERATION_INVALID: 55,
  CONFIG_UNSUPPORTED: 67,
  OPERATION_TIMEOUT: 68,
  NO_DOMAIN_SNAPSHOT: 72,
  ARGUMENT_UNSUPPORTED: 74,
  OPERATION_UNSUPPORTED: 84,
  STORAGE_VOL_EXIST: 90,
} as const;

/** virErrorLevel. */
export const ErrorLevel = { NONE: 0, WARNING: 1, ERROR: 2 } as const;

/** An error reply from libvirtd, carrying remote_error's code, domain, message and level. */
export class LibvirtError extends Error {
  override name = 'LibvirtError';
  readonly code: number;
  readonly domain: number;
  readonly level: number;

  constructor(code: number, domain: number, message: string, level: number = ErrorLevel.ERROR) {
    super(message);
    this.code = code;
    this.domain = domain;
    this.level = level;
  }

  /** Builds the error from a decoded remote_error. */
  static fromRemote(e: RemoteError): LibvirtError {
    return new LibvirtError(e.code, e.domain, e.message ?? `libvirt error ${e.code}`, e.level);
  }
}

/** The daemon cannot be reached: not connected, connection lost, call timed out, or framing broke. */
export class LibvirtUnavailableError extends Error {
  override name = 'LibvirtUnavailableError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The URI names a transport or an auth method this client does not support. */
export class UnsupportedUriError extends Error {
  override name = 'UnsupportedUriError';
}

const hasCode = (err: unknown, ...codes: number[]): boolean =>
  err instanceof LibvirtError && codes.includes(err.code);

/** A domain, network, pool, volume or domain snapshot that does not exist. */
export const isNotFound = (err: unknown): boolean =>
  hasCode(err, ErrorCode.NO_DOMAIN, ErrorCode.NO_NETWORK, ErrorCode.NO_STORAGE_POOL, ErrorCode.NO_STORAGE_VOL, ErrorCode.NO_DOMAIN_SNAPSHOT);

/** The object is in the wrong state for the operation (e.g. starting a running domain). */
export const isOperationInvalid = (err: unknown): boolean => hasCode(err, ErrorCode.OPERATION_INVALID);

/** The object already exists. */
export const isAlreadyExists = (err: unknown): boolean =>
  hasCode(err, ErrorCode.DOM_EXIST, ErrorCode.STORAGE_VOL_EXIST) ||
  (err instanceof LibvirtError && err.code === ErrorCode.OPERATION_FAILED && /already exists/i.test(err.message));

/** The driver or daemon does not support the operation. */
export const isNoSupport = (err: unknown): boolean =>
  hasCode(err, ErrorCode.NO_SUPPORT, ErrorCode.OPERATION_UNSUPPORTED, ErrorCode.ARGUMENT_UNSUPPORTED) ||
  (err instanceof LibvirtError && err.code === ErrorCode.RPC && /unknown procedure/.test(err.message));

/** true when the lookup finds the object, false on "not found"; other errors pass through. */
export async function found(lookup: Promise<unknown>): Promise<boolean> {
  try {
    await lookup;
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

/** Decodes an error reply's remote_error into a LibvirtError. */
export function decodeErrorReply(reply: Packet): LibvirtError {
  try {
    return LibvirtError.fromRemote(readRemoteError(new XdrReader(reply.payload)));
  } catch (err) {
    return new LibvirtError(1, 0, `undecodable error reply to procedure ${reply.proc}: ${(err as Error).message}`);
  }
}
