/**
 * The only places that build responses: JSON (plain or Go-compatible), XML, and errors. Response
 * headers stay a plain object until the response is built: Hono's c.header() keeps them in a Fetch
 * `Headers`, whose validation and sorting, and the conversion back to Node's header object, cost
 * more than the rest of a cached read; a plain object goes straight to @hono/node-server's writeHead.
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { DispatchError } from '../actions/dispatch.ts';
import { boundedError, toAppError } from '../errors.ts';
import type { AppEnv, PendingHeaders } from './context.ts';
import { goJson, toJson } from '../model/json.ts';

const JSON_TYPE = 'application/json; charset=utf-8';

/** A JSON response (bigints as integers). */
export function json(c: Context<AppEnv>, value: unknown, status: ContentfulStatusCode = 200): Response {
  return reply(c, toJson(value), status, JSON_TYPE);
}

/** A response with JSON text that is already rendered. */
export function jsonText(c: Context<AppEnv>, text: string | Uint8Array<ArrayBuffer>, status: ContentfulStatusCode = 200): Response {
  return reply(c, text, status, JSON_TYPE);
}

/** A JSON response encoded exactly as Go's encoding/json would (seed protocol). */
export function goJsonResponse(c: Context<AppEnv>, value: unknown, status: ContentfulStatusCode = 200): Response {
  return reply(c, goJson(value), status, JSON_TYPE);
}

/** An XML document. */
export function xml(c: Context<AppEnv>, text: string): Response {
  return reply(c, text, 200, 'application/xml; charset=utf-8');
}

/** The error envelope: {"error": {code, message, fields?, requestId, auditId?}}; never a stack trace. */
export function errorResponse(c: Context<AppEnv>, thrown: unknown): Response {
  const err = boundedError(toAppError(thrown));
  const body: Record<string, unknown> = { code: err.code, message: err.message };
  if (err.details.fields?.length) body.fields = err.details.fields;
  if (err.details.libvirtCode !== undefined) body.libvirtCode = err.details.libvirtCode;
  body.requestId = c.get('requestId') ?? null;
  if (thrown instanceof DispatchError && thrown.auditId !== null) body.auditId = thrown.auditId;
  if (err.details.retryAfterSeconds !== undefined) setReplyHeader(c, 'retry-after', String(err.details.retryAfterSeconds));
  return json(c, { error: body }, err.status as ContentfulStatusCode);
}

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
