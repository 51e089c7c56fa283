/**
 * The Node HTTP(S) server around the app. It is @hono/node-server's `serve` with two differences: a
 * request the adapter cannot turn into a Fetch Request (a backslash in the path, a malformed Host
 * header), and one Node's own parser refuses, get the error envelope with a request id, like every
 * other refusal, instead of a bare 400 with no body.
 */
import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { createServer as createHttpsServer } from 'node:https';
import { RequestError, getRequestListener } from '@hono/node-server';
import { AppError } from '../errors.ts';
import { toJson } from '../model/json.ts';
import { serveUpgrades, type UpgradeFetch } from './upgrade.ts';

/** What the server needs: the app's fetch, TLS material when serving HTTPS, the host name to assume when a request has no Host. */
export interface ServerOptions {
  fetch: Parameters<typeof getRequestListener>[0];
  tls?: { cert: Buffer; key: Buffer } | null;
  hostname?: string;
  /** How long a client may take to send a request's head (default HEADERS_TIMEOUT_MS). */
  headersTimeoutMs?: number;
}

/**
 * A client has this long to send a request's head, and REQUEST_TIMEOUT_MS to send the whole
 * request: a connection that trickles bytes (slowloris) is closed rather than held (Node's defaults
 * are 60 s and 300 s).
 */
export const HEADERS_TIMEOUT_MS = 10_000;
/** See HEADERS_TIMEOUT_MS. */
export const REQUEST_TIMEOUT_MS = 60_000;

/** The envelope for a request the adapter refused (RequestError: 400) or failed on (500), with a fresh request id. */
export function adapterErrorResponse(err: unknown): Response {
  const appError = err instanceof AppError ? err
    : err instanceof RequestError
      ? new AppError('BAD_REQUEST', `the request cannot be read: ${err.message.slice(0, 120)}`)
      : new AppError('INTERNAL', 'internal error');
  const requestId = randomUUID();
  const body = toJson({ error: { code: appError.code, message: appError.message, requestId } });
  return new Response(body, { status: appError.status, headers: { 'content-type': 'application/json; charset=utf-8', 'x-request-id': requestId } });
}

/** An HTTP (or, with tls, HTTPS) server for the app, WebSocket upgrades included (upgrade.ts); not yet listening. */
export function createAppServer(options: ServerOptions): Server {
  const listener = getRequestListener(options.fetch, { errorHandler: adapterErrorResponse, ...(options.hostname !== undefined && { hostname: options.hostname }) });
  const headersTimeout = options.headersTimeoutMs ?? HEADERS_TIMEOUT_MS;
  // Node checks these timeouts every connectionsCheckingInterval (30 s by default): check often enough to honour them.
  const timeouts = { headersTimeout, requestTimeout: Math.max(REQUEST_TIMEOUT_MS, headersTimeout), connectionsCheckingInterval: Math.min(1_000, headersTimeout / 2) };
  const server = options.tls ? createHttpsServer({ ...options.tls, ...timeouts }, listener) : createHttpServer(timeouts, listener);
  server.on('clientError', answerUnparsable);
  serveUpgrades(server, options.fetch as unknown as UpgradeFetch, adapterErrorResponse);
  return server;
}

/** What a refusal by Node's parser answers, by its error code: 400 BAD_REQUEST for any other. */
const PARSER_REFUSALS: ReadonlyMap<string, { status: string; code: 'HEADERS_TOO_LARGE' | 'REQUEST_TOO_SLOW'; message: string }> = new Map([
  ['HPE_HEADER_OVERFLOW', { status: '431 Request Header Fields Too Large', code: 'HEADERS_TOO_LARGE', message: 'the request\'s head is too large' }],
  ['ERR_HTTP_REQUEST_TIMEOUT', { status: '408 Request Timeout', code: 'REQUEST_TOO_SLOW', message: 'the request was not received in time' }],
] as const);
const MALFORMED = { status: '400 Bad Request', code: 'BAD_REQUEST', message: 'the request cannot be parsed as HTTP/1.1' } as const;

/**
 * A request Node's own parser refused (a broken request line, bad chunking, a head too large, one
 * not received within the headers or request timeout):
 * the envelope instead of Node's bare 400, then the connection closes, as Node's default does.
 */
export function answerUnparsable(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || err.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const refusal = (err.code !== undefined ? PARSER_REFUSALS.get(err.code) : undefined) ?? MALFORMED;
  const requestId = randomUUID();
  const body = toJson({ error: { code: refusal.code, message: refusal.message, requestId } });
  socket.end(`HTTP/1.1 ${refusal.status}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`
    + `X-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`);
}
