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

/** What the server needs: the app's fetch, TLS material when serving HTTPS, the host name to assume when a request has no Host. */
export interface ServerOptions {
  fetch: Parameters<typeof getRequestListener>[0];
  tls?: { cert: Buffer; key: Buffer } | null;
  hostname?: string;
}

/** The envelope for a request the adapter refused (RequestError: 400) or failed on (500), with a fresh request id. */
export function adapterErrorResponse(err: unknown): Response {
  const appError = err instanceof RequestError
    ? new AppError('BAD_REQUEST', `the request cannot be read: ${err.message.slice(0, 120)}`)
    : new AppError('INTERNAL', 'internal error');
  const requestId = randomUUID();
  const body = toJson({ error: { code: appError.code, message: appError.message, requestId } });
  return new Response(body, { status: appError.status, headers: { 'content-type': 'application/json; charset=utf-8', 'x-request-id': requestId } });
}

/** An HTTP (or, with tls, HTTPS) server for the app; not yet listening. */
export function createAppServer(options: ServerOptions): Server {
  const listener = getRequestListener(options.fetch, { errorHandler: adapterErrorResponse, ...(options.hostname !== undefined && { hostname: options.hostname }) });
  const server = options.tls ? createHttpsServer(options.tls, listener) : createHttpServer(listener);
  server.on('clientError', answerUnparsable);
  return server;
}

/** Node's parser errors that mean the request's head was too large (431), not malformed (400). */
const HEAD_TOO_LARGE = new Set(['HPE_HEADER_OVERFLOW']);

/**
 * A request Node's own parser refused (a broken request line, bad chunking, a head too large):
 * the envelope instead of Node's bare 400, then the connection closes, as Node's default does.
 */
export function answerUnparsable(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || err.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const tooLarge = err.code !== undefined && HEAD_TOO_LARGE.has(err.code);
  const requestId = randomUUID();
  const message = tooLarge ? 'the request\'s head is too large' : 'the request cannot be parsed as HTTP/1.1';
  const body = toJson({ error: { code: tooLarge ? 'HEADERS_TOO_LARGE' : 'BAD_REQUEST', message, requestId } });
  const status = tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request';
  socket.end(`HTTP/1.1 ${status}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`
    + `X-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`);
}
