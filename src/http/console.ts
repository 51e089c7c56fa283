/**
 * GET /v1/domains/{name}/console: the console action over a WebSocket. The action runs through the
 * dispatcher like any other (role, input, audit); it accepts the upgrade only once libvirt opened
 * the console, so every refusal (unknown domain, not running, held by another session, no
 * upgrade) is an ordinary answer with its JSON envelope. The session then outlives the request.
 */
import type { Context } from 'hono';
import type { RawData, WebSocket } from 'ws';
import { AppError } from '../errors.ts';
import type { CallerChannel, ChannelClose } from '../model/channel.ts';
import type { AppEnv } from './context.ts';
import { invoke } from './invoke.ts';
import { UPGRADE_ACCEPTED, type UpgradeBinding } from './upgrade.ts';

/** A WebSocket that answers no ping for this long is dropped (a caller gone without closing). */
const HEARTBEAT_MS = 30_000;

/** Answers a console request: the upgrade once the session runs, else the refusal. */
export async function consoleHandler(c: Context<AppEnv>, action: string): Promise<Response> {
  const binding = c.env?.upgrade;
  const rejection = binding ? crossSiteProblem(c) : new AppError('UPGRADE_REQUIRED', 'the console is a WebSocket: send the request as a WebSocket upgrade');
  let markAccepted: () => void = () => {};
  const accepted = new Promise<'accepted'>((resolve) => { markAccepted = () => resolve('accepted'); });
  const channel = binding ? wsChannel(binding, () => markAccepted()) : undefined;
  const input = { ...c.req.query(), domain: c.req.param('name') };
  const session = invoke(c, 'rest', { action, family: 'mutation', input, rejection }, undefined, channel);
  const first = await Promise.race([accepted, session.then(() => 'ended' as const)]);
  if (first === 'ended') throw new AppError('INTERNAL', 'the console session ended before it was accepted');
  session.catch((err: unknown) => c.get('deps').log.warn({ err, requestId: c.get('requestId') }, 'console session failed after it was accepted'));
  return new Response(null, { headers: { [UPGRADE_ACCEPTED]: '1' } });
}

/**
 * Under /ui the dashboard's session cookie authenticates, and a browser sends it on a WebSocket
 * opened by any site (no CORS for WebSockets): such a request must come from the agent's own pages.
 */
function crossSiteProblem(c: Context<AppEnv>): AppError | undefined {
  if (!c.req.path.startsWith('/ui/')) return undefined;
  const origin = c.req.header('origin');
  if (origin === undefined || origin === new URL(c.req.url).origin) return undefined;
  return new AppError('FORBIDDEN', 'a console under /ui opens only from the agent\'s own pages');
}

/** The caller's side of a session over the WebSocket the binding hands over. */
function wsChannel(binding: UpgradeBinding, onAccept: () => void): CallerChannel {
  let ws: WebSocket | null = null;
  const listeners: Array<(bytes: Uint8Array) => void> = [];
  let resolveClosed: (close: ChannelClose) => void = () => {};
  const closed = new Promise<ChannelClose>((resolve) => { resolveClosed = resolve; });
  return {
    async open() {
      const socket = binding.accept();
      onAccept();
      try {
        ws = await socket;
      } catch (err) {
        resolveClosed({ code: 1006, reason: 'the caller left before the session opened' });
        throw err;
      }
      ws.on('message', (data) => {
        const bytes = toBytes(data); // a text message's bytes are its UTF-8
        for (const listener of listeners) listener(bytes);
      });
      ws.on('close', (code, reason) => resolveClosed({ code, reason: reason.toString() }));
      keepAlive(ws);
    },
    send(bytes) {
      if (ws?.readyState === ws?.OPEN) ws?.send(bytes, { binary: true });
    },
    get bufferedBytes() {
      return ws?.bufferedAmount ?? 0;
    },
    onMessage(listener) {
      listeners.push(listener);
    },
    closed,
    close(code, reason) {
      if (!ws || ws.readyState === ws.CLOSED) return;
      ws.close(code, Buffer.from(reason).subarray(0, 123).toString());
      setTimeout(() => ws?.terminate(), 5_000).unref();
    },
  };
}

function keepAlive(ws: WebSocket): void {
  let answered = true;
  ws.on('pong', () => { answered = true; });
  const timer = setInterval(() => {
    if (!answered) return ws.terminate();
    answered = false;
    ws.ping();
  }, HEARTBEAT_MS);
  timer.unref();
  ws.on('close', () => clearInterval(timer));
}

function toBytes(data: RawData): Buffer {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? Buffer.from(data) : data;
}
