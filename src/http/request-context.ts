/**
 * What every request starts with: the dependencies, the request id, the caller and the pending
 * response headers in the context.
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'hono';
import type { Action } from '../actions/types.ts';
import type { Deps } from '../deps.ts';
import { callerOf } from './auth.ts';
import type { AppEnv } from './context.ts';
import { setReplyHeader } from './respond.ts';

const REQUEST_ID = /^[\w\-=]{1,128}$/;

/** Sets deps, registry, requestId (the caller's X-Request-Id when sane, else a UUID) and caller. */
export function prepareRequest(c: Context<AppEnv>, deps: Deps, registry: ReadonlyMap<string, Action>): void {
  c.set('deps', deps);
  c.set('registry', registry);
  const id = requestIdOf(c.req.header('x-request-id'));
  c.set('requestId', id);
  setReplyHeader(c, 'x-request-id', id);
  // Once shutdown has begun, every answer closes its connection (the dispatcher refuses new actions).
  if (deps.ops?.stopping()) setReplyHeader(c, 'connection', 'close');
  c.set('caller', callerOf(c, deps.tokens));
}

/** The caller's request id when it is 1–128 word characters, '-' or '='; otherwise a new UUID. */
export function requestIdOf(given: string | undefined): string {
  return given !== undefined && REQUEST_ID.test(given) ? given : randomUUID();
}
