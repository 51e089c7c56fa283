/**
 * The one middleware every request goes through: prepare the context, run the route within the
 * request timeout, then record the request (metrics, log line) and apply the pending headers.
 * One layer rather than one per concern: each layer of Hono's chain costs promises and a closure
 * per request, which showed in the profile of a cached read.
 */
import type { MiddlewareHandler } from 'hono';
import type { Action } from '../actions/types.ts';
import type { Deps } from '../deps.ts';
import { recordRequest } from './record.ts';
import type { AppEnv } from './context.ts';
import { applyPendingHeaders } from './respond.ts';
import { prepareRequest } from './request-context.ts';
import { withinRequestTimeout } from './request-timeout.ts';
import { errorResponse } from './respond.ts';

/** The request lifecycle middleware. */
export function requestLifecycle(deps: Deps, registry: ReadonlyMap<string, Action>): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    prepareRequest(c, deps, registry);
    try {
      const instead = await withinRequestTimeout(c, next);
      if (instead) c.res = instead;
    } catch (err) { // only the timeout: Hono turns a route's errors into its answer (onError) itself
      c.res = errorResponse(c, err);
    }
    recordRequest(c, started);
    applyPendingHeaders(c);
  };
}
