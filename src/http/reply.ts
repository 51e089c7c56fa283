/**
 * Response headers kept as a plain object until the response is built. Hono's c.header() keeps
 * them in a Fetch `Headers`, whose validation and sorting, and the conversion back to Node's
 * header object, cost more than the rest of a cached read; a plain object goes straight to
 * @hono/node-server's writeHead.
 */
import type { Context } from 'hono';
import type { AppEnv, PendingHeaders } from './context.ts';

/** Sets a response header (its name in lower case) on the request's pending headers (applied by reply() or applyPendingHeaders()). */
export function setReplyHeader(c: Context<AppEnv>, name: Lowercase<string>, value: string): void {
  pendingOf(c).values[name] = value;
}

/** A response with the pending headers, the content type and the status, built without a Fetch `Headers`. */
export function reply(c: Context<AppEnv>, body: string | Uint8Array<ArrayBuffer>, status: number, contentType: string): Response {
  const pending = c.get('replyHeaders');
  if (!pending) return new Response(body, { status, headers: { 'content-type': contentType } });
  pending.applied = true;
  pending.values['content-type'] = contentType;
  return new Response(body, { status, headers: pending.values });
}

/** Adds the pending headers to a response that was built some other way (c.html, c.redirect, streams). */
export function applyPendingHeaders(c: Context<AppEnv>): void {
  const pending = c.get('replyHeaders');
  if (!pending || pending.applied) return;
  pending.applied = true;
  const headers = c.res.headers; // every response the app builds has mutable headers
  for (const [name, value] of Object.entries(pending.values)) headers.set(name, value);
}

function pendingOf(c: Context<AppEnv>): PendingHeaders {
  let pending = c.get('replyHeaders');
  if (!pending) {
    pending = { values: {}, applied: false };
    c.set('replyHeaders', pending);
  }
  return pending;
}
