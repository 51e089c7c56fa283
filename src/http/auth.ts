/**
 * Resolves the caller from `Authorization: Bearer …`. With no tokens configured (loopback only)
 * everyone is the anonymous admin. Rejection happens in the dispatcher, so it is audited.
 */
import type { Context } from 'hono';
import type { Caller } from '../model/audit.ts';
import type { Deps } from '../deps.ts';
import type { AppEnv } from './context.ts';

const BEARER = /^Bearer\s+(\S+)\s*$/i;
const ANONYMOUS_ADMIN: Caller = Object.freeze({ name: 'anonymous', role: 'admin' });

/** The caller of a request: null when tokens are configured and none valid was presented. */
export function callerOf(c: Context<AppEnv>, tokens: Deps['tokens']): Caller | null {
  if (!tokens) return ANONYMOUS_ADMIN;
  const presented = BEARER.exec(c.req.header('authorization') ?? '')?.[1];
  return presented ? tokens.verify(presented) : null;
}
