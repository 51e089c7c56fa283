/**
 * Bounds the time of reads: a GET that has not answered within the request timeout gets 504
 * REQUEST_TIMEOUT. Mutations are not cut short here: each libvirt call has its own timeout, and a
 * mutation must end (and close its audit record) with what really happened.
 */
import type { MiddlewareHandler } from 'hono';
import { AppError } from '../errors.ts';
import type { AppEnv } from './context.ts';

/** The read timeout middleware. */
export function readTimeout(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return next();
    const ms = c.get('deps').settings.requestTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new AppError('REQUEST_TIMEOUT', `the request did not complete within ${ms} ms`)), ms);
    });
    try {
      await Promise.race([next(), expired]);
    } finally {
      clearTimeout(timer);
    }
  };
}
