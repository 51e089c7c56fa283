/**
 * Reads a request's JSON body within the size limit. A GET's body never reaches the Fetch Request
 * under @hono/node-server, so it is read from the Node IncomingMessage the adapter passes along.
 */
import type { Context } from 'hono';
import { AppError } from '../errors.ts';
import type { AppEnv } from './context.ts';
import { setReplyHeader } from './respond.ts';

/** The deepest nesting of arrays and objects a JSON body may have. */
export const MAX_JSON_DEPTH = 32;

/**
 * The raw body bytes as UTF-8 text ('' when there is none). The body of a caller without a valid
 * token is never read: the dispatcher refuses it, and the connection closes rather than drain it.
 */
export async function readBodyText(c: Context<AppEnv>, limit: number): Promise<string> {
  if (c.get('caller') === null) {
    if (hasBody(c)) setReplyHeader(c, 'connection', 'close');
    return '';
  }
  const declared = Number(c.req.header('content-length') ?? '0');
  if (declared > limit) throw tooLarge(limit);
  const incoming = c.env?.incoming;
  const bytes = c.req.method === 'GET' || c.req.method === 'HEAD'
    ? (incoming ? await readStream(incoming, limit, declared) : Buffer.alloc(0))
    : Buffer.from(await c.req.arrayBuffer());
  if (bytes.length > limit) throw tooLarge(limit);
  return utf8(bytes);
}

function hasBody(c: Context<AppEnv>): boolean {
  const length = c.req.header('content-length');
  return (length !== undefined && length !== '0') || c.req.header('transfer-encoding') !== undefined;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

function utf8(bytes: Buffer): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new AppError('BAD_REQUEST', 'the body is not valid UTF-8', { fields: [{ field: '(body)', message: 'must be UTF-8 text' }] });
  }
}

/**
 * The deepest nesting of arrays and objects in JSON text, counted outside strings, stopping as soon
 * as it passes `max`: checked before JSON.parse, so a deep body costs one scan and no recursion.
 */
export function jsonDepthExceeds(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c) i++; // backslash: skip the escaped character
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x7b || ch === 0x5b) {
      if (++depth > max) return true;
    } else if (ch === 0x7d || ch === 0x5d) depth--;
  }
  return false;
}

/** The body parsed as a JSON object, or null when there is no body. */
export async function readJsonObject(c: Context<AppEnv>, limit: number): Promise<Record<string, unknown> | null> {
  const text = await readBodyText(c, limit);
  if (text.trim() === '') return null;
  if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) {
    throw new AppError('BAD_REQUEST', `the body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels`, { fields: [{ field: '(body)', message: `must nest at most ${MAX_JSON_DEPTH} levels` }] });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new AppError('BAD_REQUEST', `the body is not valid JSON: ${truncate((err as Error).message)}`, { fields: [{ field: '(body)', message: 'must be JSON' }] });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AppError('BAD_REQUEST', 'the body must be a JSON object', { fields: [{ field: '(body)', message: 'must be a JSON object' }] });
  }
  return value as Record<string, unknown>;
}

// V8's JSON.parse messages quote the text around the error: keep them short.
function truncate(message: string): string {
  return message.length > 120 ? `${message.slice(0, 120)}…` : message;
}

function tooLarge(limit: number): AppError {
  return new AppError('PAYLOAD_TOO_LARGE', `the body exceeds the limit of ${limit} bytes`);
}

type BodyStream = NodeJS.ReadableStream & { readableEnded?: boolean; readableFlowing?: boolean | null; readableLength: number; complete?: boolean };

// A body that came in with the headers is buffered whole once the parser has finished the packet,
// which it has by the next microtask: then one synchronous read() takes it (IncomingMessage.complete
// is only set later). Otherwise plain 'data'/'end' listeners: an async iterator over the request
// cost more than the rest of a cached read (measured with bench/snapshot-bench.ts).
async function readStream(stream: BodyStream, limit: number, declared: number): Promise<Buffer> {
  if (stream.readableEnded) return Buffer.alloc(0);
  if (declared > 0 && stream.readableLength < declared) await null;
  const whole = stream.complete || (declared > 0 && stream.readableLength >= declared);
  if (whole && stream.readableFlowing !== true) {
    const all = stream.read() as Buffer | string | null;
    const buf = all === null ? Buffer.alloc(0) : typeof all === 'string' ? Buffer.from(all) : all;
    if (buf.length > limit) throw tooLarge(limit);
    return buf;
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer | string) => {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += buf.length;
      chunks.push(buf);
      if (size > limit) finish(tooLarge(limit));
    };
    const finish = (err?: Error) => {
      stream.off('data', onData).off('end', onEnd).off('error', finish);
      if (err) reject(err);
      else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    };
    const onEnd = () => finish();
    stream.on('data', onData).on('end', onEnd).on('error', finish);
  });
}

/**
 * A mutation's body: an unreadable one (not JSON, too large) does not throw here but comes back as
 * the rejection, so the dispatcher still audits the attempt.
 */
export async function readMutationBody(c: Context<AppEnv>): Promise<{ body: Record<string, unknown>; rejection?: AppError }> {
  try {
    return { body: (await readJsonObject(c, c.get('deps').settings.bodyLimitBytes)) ?? {} };
  } catch (err) {
    if (err instanceof AppError) return { body: {}, rejection: err };
    throw err;
  }
}
