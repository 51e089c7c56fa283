/**
 * The Node HTTP(S) server around the app. It is @hono/node-server's `serve` with one difference: a
 * request the adapter cannot turn into a Fetch Request (a backslash in the path, a malformed Host
 * header) gets the error envelope with a request id, like every other refusal, instead of the
 * adapter's bare 400 with no body.
 */
import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type Server } from 'node:http';
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
  return options.tls ? createHttpsServer(options.tls, listener) : createHttpServer(listener);
}
