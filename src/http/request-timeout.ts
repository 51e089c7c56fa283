/**
 * Bounds the time of every request. A read that has not answered within the request timeout gets
 * 504 REQUEST_TIMEOUT. A mutation is never cut short: once it runs as an operation, a REST caller
 * gets 202 Accepted with the operation's Location, and a seed caller (whose protocol has no 202)
 * keeps waiting for its answer; the operation is bounded by the action time limit instead. A long
 * poll (GET /v1/operations/{id}?wait=) extends its own limit to cover the wait it was asked for.
 */
import type { Context, Next } from 'hono';
import { AppError } from '../errors.ts';
import type { AppEnv } from './context.ts';
import { acceptedResponse } from './operations.ts';

/** Runs the rest of the chain; resolves null when it finished, or with the answer the timeout gave instead. */
export function withinRequestTimeout(c: Context<AppEnv>, next: Next): Promise<Response | null> {
  return new Promise<Response | null>((resolve, reject) => {
    const ms = c.get('deps').settings.requestTimeoutMs;
    const fire = () => {
      const extended = (c.get('extendedUntil') ?? 0) - Date.now();
      if (extended > 0) {
        timer = setTimeout(fire, extended);
        return;
      }
      const op = c.get('operation');
      if (op?.protocol === 'seed') return;
      try {
        if (op) resolve(acceptedResponse(c, op.id));
        else reject(timedOut(c.req.method, ms));
      } catch (err) {
        reject(err);
      }
    };
    let timer = setTimeout(fire, ms);
    next().then(() => {
      clearTimeout(timer);
      resolve(null);
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
