/**
 * Bounds what the audit log keeps of a caller's input, so that no request can make a record (or a
 * history page) large: long strings become a prefix with their length and SHA-256, XML becomes its
 * SHA-256 and size, deep or wide structures are cut, and a record past its byte bound keeps only
 * a digest of its whole. Pure: no I/O.
 */
import { createHash } from 'node:crypto';

/** The most bytes a record's stored params take (JSON text). */
export const MAX_PARAMS_BYTES = 16 * 1024;
/** The most bytes a record's stored result takes (JSON text). */
export const MAX_RESULT_BYTES = 64 * 1024;
/** The most characters a stored error message keeps. */
export const MAX_MESSAGE_CHARS = 1024;

/** How far the walk goes and what it keeps of each string. */
interface Limits {
  /** The whole value's JSON text; past it only a digest of the whole is kept. */
  maxBytes: number;
  /** A string longer than this keeps only its first `prefixChars` characters. */
  maxStringChars: number;
  prefixChars: number;
  maxDepth: number;
  /** Entries of one object or array. */
  maxEntries: number;
  maxKeyChars: number;
}

const PARAMS: Limits = { maxBytes: MAX_PARAMS_BYTES, maxStringChars: 512, prefixChars: 128, maxDepth: 6, maxEntries: 64, maxKeyChars: 64 };
const RESULT: Limits = { maxBytes: MAX_RESULT_BYTES, maxStringChars: 4096, prefixChars: 512, maxDepth: 10, maxEntries: 256, maxKeyChars: 64 };

/** Keys whose string values are XML documents: kept as their digest only. */
const XML_KEYS = new Set(['xml']);

/** The SHA-256 of a string's UTF-8 bytes, in hex. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** What an XML document is stored as: its SHA-256 and size in bytes. */
export function xmlDigest(text: string): { sha256: string; bytes: number } {
  return { sha256: sha256Hex(text), bytes: Buffer.byteLength(text, 'utf8') };
}

/** A caller's params as the audit log keeps them: within MAX_PARAMS_BYTES. */
export function boundParams(params: Record<string, unknown>): Record<string, unknown> {
  return boundObject(params, PARAMS);
}

/** An action's result as the audit log keeps it: within MAX_RESULT_BYTES. */
export function boundResult(result: Record<string, unknown>): Record<string, unknown> {
  return boundObject(result, RESULT);
}

/** A text cut to `max` characters, marked when cut. */
export function truncateText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;
}

function boundObject(value: Record<string, unknown>, limits: Limits): Record<string, unknown> {
  const walked = walk(value, limits, 0, null) as Record<string, unknown>;
  const text = JSON.stringify(walked);
  if (text.length <= limits.maxBytes && Buffer.byteLength(text, 'utf8') <= limits.maxBytes) return walked;
  return { '(omitted)': { reason: `larger than ${limits.maxBytes} bytes`, ...xmlDigest(safeJson(value)) } };
}

function walk(value: unknown, limits: Limits, depth: number, key: string | null): unknown {
  if (typeof value === 'string') return boundString(value, limits, key);
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return typeof value === 'number' && !Number.isFinite(value) ? null : value;
  if (value instanceof Uint8Array) return { bytes: value.length };
  if (depth >= limits.maxDepth) return '(too deep)';
  if (Array.isArray(value)) return walkArray(value, limits, depth);
  const out: Record<string, unknown> = {};
  let count = 0;
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    if (++count > limits.maxEntries) {
      out['(more)'] = Object.keys(value).length - limits.maxEntries;
      break;
    }
    const name = truncateText(k, limits.maxKeyChars);
    Object.defineProperty(out, name, { value: walk(v, limits, depth + 1, k), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function walkArray(items: unknown[], limits: Limits, depth: number): unknown[] {
  const out = items.slice(0, limits.maxEntries).map((item) => walk(item, limits, depth + 1, null));
  if (items.length > limits.maxEntries) out.push({ '(more)': items.length - limits.maxEntries });
  return out;
}

function boundString(text: string, limits: Limits, key: string | null): unknown {
  if (key !== null && XML_KEYS.has(key) && text.length > 0) return xmlDigest(text);
  if (text.length <= limits.maxStringChars) return text;
  return { prefix: text.slice(0, limits.prefixChars), length: text.length, sha256: sha256Hex(text) };
}

// A value whose JSON cannot be written (a cycle, a bigint) still gets a digest of something stable.
function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? '';
  } catch {
    return String(value);
  }
}
