/**
 * Resolves the caller from `Authorization: Bearer …`. With no tokens configured (loopback only)
 * everyone is the anonymous admin. Rejection happens in the dispatcher, so it is audited.
 */
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './context.ts';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** Sets `caller` from the bearer token (null when tokens are configured and none is valid). */
export function resolveCaller(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const tokens = c.get('deps').tokens;
    if (!tokens) {
      c.set('caller', { name: 'anonymous', role: 'admin' });
    } else {
      const presented = BEARER.exec(c.req.header('authorization') ?? '')?.[1];
      c.set('caller', presented ? tokens.verify(presented) : null);
    }
    await next();
  };
}
