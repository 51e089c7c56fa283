/** The only places that build response bodies: JSON (plain or Go-compatible), XML, and errors. */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { DispatchError } from '../actions/dispatch.ts';
import { boundedError, toAppError } from '../errors.ts';
import type { AppEnv } from './context.ts';
import { goJson, toJson } from '../model/json.ts';
import { reply, setReplyHeader } from './reply.ts';

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

