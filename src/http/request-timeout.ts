/**
 * Bounds the time of every request: one that has not answered within the request timeout gets
 * 504 REQUEST_TIMEOUT. A mutation is not cut short by it: it goes on, holds its domain, and its
 * audit record says how it ended.
 */
import type { MiddlewareHandler } from 'hono';
import { AppError } from '../errors.ts';
import type { AppEnv } from './context.ts';

/** The request timeout middleware. */
export function requestTimeout(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const ms = c.get('deps').settings.requestTimeoutMs;
    const mutation = c.req.method !== 'GET' && c.req.method !== 'HEAD';
    const message = mutation
      ? `no answer within ${ms} ms; the action goes on and the audit log will say how it ended`
      : `the request did not complete within ${ms} ms`;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new AppError('REQUEST_TIMEOUT', message)), ms);
    });
    try {
      await Promise.race([next(), expired]);
    } finally {
      clearTimeout(timer);
    }
  };
}
