/**
 * Bounds the time of every request: one that has not answered within the request timeout gets
 * 504 REQUEST_TIMEOUT. A mutation is not cut short by it: it goes on, holds its domain, and its
 * audit record says how it ended.
 */
import type { Context, Next } from 'hono';
import { AppError } from '../errors.ts';
import type { AppEnv } from './context.ts';

/** Runs the rest of the chain; rejects with REQUEST_TIMEOUT if it has not finished within the request timeout. */
export function withinRequestTimeout(c: Context<AppEnv>, next: Next): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const ms = c.get('deps').settings.requestTimeoutMs;
    const timer = setTimeout(() => reject(timedOut(c.req.method, ms)), ms);
    next().then(() => {
      clearTimeout(timer);
      resolve();
    }, (err: unknown) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

function timedOut(method: string, ms: number): AppError {
  const mutation = method !== 'GET' && method !== 'HEAD';
  return new AppError('REQUEST_TIMEOUT', mutation
    ? `no answer within ${ms} ms; the action goes on and the audit log will say how it ended`
    : `the request did not complete within ${ms} ms`);
}
