/**
 * The agent's one error type, its closed set of codes, the one map from code to HTTP status, and
 * the one translation of libvirt errors.
 */
import {
  ErrorCode, LibvirtError, LibvirtTimeoutError, LibvirtUnavailableError, isAlreadyExists, isNoSupport,
  isNotFound, isOperationInvalid,
} from './libvirt/index.ts';

/** Every error code a caller can see. Stable: callers match on them. */
export const ERROR_CODES = [
  'BAD_REQUEST',
  'VALIDATION_FAILED',
  'INVALID_XML',
  'UNKNOWN_ACTION',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'DOMAIN_BUSY',
  'IDEMPOTENCY_KEY_IN_USE',
  'IDEMPOTENCY_KEY_REUSED',
  'OPERATION_CANCELED',
  'NOT_CANCELABLE',
  'OPERATION_ENDED',
  'ALREADY_EXISTS',
  'UPGRADE_REQUIRED',
  'PAYLOAD_TOO_LARGE',
  'HEADERS_TOO_LARGE',
  'REQUEST_TOO_SLOW',
  'RATE_LIMITED',
  'INSUFFICIENT_STORAGE',
  'UNSUPPORTED',
  'LIBVIRT_ERROR',
  'DESTINATION_UNREACHABLE',
  'LIBVIRT_UNAVAILABLE',
  'LIBVIRT_TIMEOUT',
  'REQUEST_TIMEOUT',
  'SHUTTING_DOWN',
  'INTERNAL',
] as const;

/** One of ERROR_CODES. */
export type ErrorCodeName = (typeof ERROR_CODES)[number];

/** HTTP status for each code. */
export const codeToStatus: Record<ErrorCodeName, number> = {
  BAD_REQUEST: 400,
  VALIDATION_FAILED: 400,
  INVALID_XML: 400,
  UNKNOWN_ACTION: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  DOMAIN_BUSY: 409,
  IDEMPOTENCY_KEY_IN_USE: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  OPERATION_CANCELED: 409,
  NOT_CANCELABLE: 409,
  OPERATION_ENDED: 409,
  ALREADY_EXISTS: 409,
  UPGRADE_REQUIRED: 426,
  PAYLOAD_TOO_LARGE: 413,
  HEADERS_TOO_LARGE: 431,
  REQUEST_TOO_SLOW: 408,
  RATE_LIMITED: 429,
  INSUFFICIENT_STORAGE: 507,
  UNSUPPORTED: 501,
  LIBVIRT_ERROR: 502,
  DESTINATION_UNREACHABLE: 502,
  LIBVIRT_UNAVAILABLE: 503,
  LIBVIRT_TIMEOUT: 504,
  REQUEST_TIMEOUT: 504,
  SHUTTING_DOWN: 503,
  INTERNAL: 500,
};

/** A problem with one input field: its path (dotted) and what is wrong. */
export interface FieldError {
  field: string;
  message: string;
}

/** Extra facts an error carries to the caller and the audit log. */
export interface ErrorDetails {
  fields?: FieldError[];
  libvirtCode?: number;
  libvirtDomain?: number;
  /** RATE_LIMITED: seconds until a retry may succeed (the Retry-After header). */
  retryAfterSeconds?: number;
  /** What the audit record keeps of a failed action (steps done and undone, where the guest is). Never sent to the caller. */
  result?: Record<string, unknown>;
}

/** An error the agent reports to a caller: a stable code, a message, optional details. */
export class AppError extends Error {
  override name = 'AppError';

  constructor(
    readonly code: ErrorCodeName,
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
  }

  /** The HTTP status of this error's code. */
  get status(): number {
    return codeToStatus[this.code];
  }
}

/**
 * A short, quoted, escaped excerpt of a caller's text for an error message: control characters and
 * quotes escaped as in JSON, cut at `max` characters with the full length noted.
 */
export function excerpt(text: string, max = 64): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  const quoted = JSON.stringify(cut).replace(/[\u007f-\u009f\u2028\u2029]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return text.length > max ? `${quoted} (${text.length} characters)` : quoted;
}

/** The most characters of an error message, a field path or a field message sent back or stored. */
export const MESSAGE_BOUNDS = { message: 512, field: 128, fieldMessage: 256, fields: 10 } as const;

/** The error with its message and fields cut to MESSAGE_BOUNDS (an input's echo never grows them). */
export function boundedError(err: AppError): AppError {
  const fields = err.details.fields;
  const tooLong = err.message.length > MESSAGE_BOUNDS.message
    || (fields !== undefined && (fields.length > MESSAGE_BOUNDS.fields || fields.some((f) => f.field.length > MESSAGE_BOUNDS.field || f.message.length > MESSAGE_BOUNDS.fieldMessage)));
  if (!tooLong) return err;
  const details: ErrorDetails = { ...err.details };
  if (fields) details.fields = fields.slice(0, MESSAGE_BOUNDS.fields).map((f) => ({ field: cut(f.field, MESSAGE_BOUNDS.field), message: cut(f.message, MESSAGE_BOUNDS.fieldMessage) }));
  return new AppError(err.code, cut(err.message, MESSAGE_BOUNDS.message), details);
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

/** Translates a libvirt error (or anything thrown) into an AppError; AppErrors pass through. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof LibvirtTimeoutError) return new AppError('LIBVIRT_TIMEOUT', err.message);
  if (err instanceof LibvirtUnavailableError) return new AppError('LIBVIRT_UNAVAILABLE', err.message);
  if (err instanceof LibvirtError) return new AppError(libvirtCodeName(err), err.message, { libvirtCode: err.code, libvirtDomain: err.domain });
  return new AppError('INTERNAL', 'internal error');
}

/** The error as an AppError that also carries what the audit record should keep of the failure. */
export function withAuditResult(err: unknown, result: Record<string, unknown>): AppError {
  const app = toAppError(err);
  return new AppError(app.code, app.message, { ...app.details, result: { ...app.details.result, ...result } });
}

function libvirtCodeName(err: LibvirtError): ErrorCodeName {
  if (isNotFound(err)) return 'NOT_FOUND';
  if (isOperationInvalid(err)) return 'CONFLICT';
  if (isAlreadyExists(err)) return 'ALREADY_EXISTS';
  if (isNoSupport(err)) return 'UNSUPPORTED';
  if (err.code === ErrorCode.XML_ERROR || err.code === ErrorCode.XML_DETAIL) return 'INVALID_XML';
  if (err.code === ErrorCode.INVALID_ARG) return 'VALIDATION_FAILED';
  if (err.code === ErrorCode.OPERATION_TIMEOUT) return 'LIBVIRT_TIMEOUT';
  return 'LIBVIRT_ERROR';
}
