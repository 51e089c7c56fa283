/**
 * WebSocket upgrades through the app. An upgrade request runs through the app's fetch like any
 * other (request id, auth, limits, the route's checks), with an UpgradeBinding in its env. A handler
 * that accepts calls binding.accept() and answers with the UPGRADE_ACCEPTED mark; only then is the
 * handshake completed (by `ws`). Any other answer, a refusal above all, is written to the socket
 * whole, with its JSON envelope, which @hono/node-server's own upgrade path would drop for an empty
 * body.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { AppError } from '../errors.ts';

/** What an upgrade request's handler gets in its env. */
export interface UpgradeBinding {
  /** Accepts the upgrade; resolves with the socket once the handshake is done, rejects if it fails. */
  accept(): Promise<WebSocket>;
}

/** The response header (never sent) by which a handler says it accepted the upgrade. */
export const UPGRADE_ACCEPTED = 'x-govirthost-upgrade-accepted';

/** The largest message a caller may send over any WebSocket (a console paste). */
export const MAX_WEBSOCKET_MESSAGE = 64 * 1024;

/** The app's fetch as upgrades call it. */
export type UpgradeFetch = (request: Request, env: { incoming: IncomingMessage; upgrade: UpgradeBinding }) => Response | Promise<Response>;

/** Serves WebSocket upgrades on `server` through `fetch`; `onError` builds the answer when fetch throws. */
export function serveUpgrades(server: Server | HttpsServer, fetch: UpgradeFetch, onError: (err: unknown) => Response): void {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_WEBSOCKET_MESSAGE });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {});
    void upgradeOne(wss, fetch, onError, req, socket, head);
  });
  server.on('close', () => wss.close());
}

async function upgradeOne(wss: WebSocketServer, fetch: UpgradeFetch, onError: (err: unknown) => Response, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
  const waiters: Array<{ resolve: (ws: WebSocket) => void; reject: (err: Error) => void }> = [];
  const binding: UpgradeBinding = { accept: () => new Promise((resolve, reject) => { waiters.push({ resolve, reject }); }) };
  let response: Response;
  try {
    // Only a GET upgrades; the body of anything else never reaches the app, so it is refused.
    if (req.method !== 'GET') throw new AppError('BAD_REQUEST', `a ${req.method?.slice(0, 16)} request cannot ask for a protocol upgrade`);
    response = await fetch(requestOf(req), { incoming: req, upgrade: binding });
  } catch (err) {
    response = onError(err);
  }
  const accepted = waiters[0];
  if (accepted && response.headers.has(UPGRADE_ACCEPTED) && !socket.destroyed) {
    socket.once('close', () => accepted.reject(new Error('the WebSocket handshake did not complete')));
    wss.handleUpgrade(req, socket, head, (ws) => accepted.resolve(ws));
    return;
  }
  accepted?.reject(new Error('the upgrade was not accepted'));
  await writeWhole(socket, response);
}

/** The Fetch Request of an upgrade request (no body); a Host or path that makes no URL is a 400. */
function requestOf(req: IncomingMessage): Request {
  const scheme = (req.socket as TLSSocket).encrypted ? 'https' : 'http';
  let url: URL;
  try {
    url = new URL(req.url ?? '/', `${scheme}://${req.headers.host ?? 'localhost'}`);
  } catch {
    throw new AppError('BAD_REQUEST', 'the request cannot be read: its Host and path make no URL');
  }
  const headers = new Headers();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  return new Request(url, { headers });
}

async function writeWhole(socket: Duplex, response: Response): Promise<void> {
  if (socket.destroyed) return;
  const body = Buffer.from(await response.arrayBuffer());
  const lines = [`HTTP/1.1 ${response.status} ${STATUS_CODES[response.status] ?? ''}`];
  response.headers.forEach((value, key) => {
    if (!['connection', 'content-length', 'transfer-encoding', UPGRADE_ACCEPTED].includes(key)) lines.push(`${key}: ${value}`);
  });
  lines.push(`Content-Length: ${body.length}`, 'Connection: close');
  socket.end(Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`), body]));
}
