/**
 * The operating endpoints and middleware: GET /readyz and GET /metrics, per-request metrics, and
 * closing connections once shutdown has begun.
 */
import { Hono, type MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { AppError } from '../errors.ts';
import type { AppEnv } from '../http/context.ts';
import { json } from '../http/respond.ts';
import { UNMATCHED_ROUTE } from './metrics.ts';
import { evaluateReadiness } from './readiness.ts';

/** GET /readyz (200 or 503, with every check's result) and GET /metrics (Prometheus text). */
export function opsRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/readyz', async (c) => {
    const readiness = await evaluateReadiness(c.get('deps').ops?.readiness ?? []);
    return json(c, { status: readiness.ready ? 'ready' : 'unready', checks: readiness.checks }, readiness.ready ? 200 : 503);
  });
  app.get('/metrics', async (c) => {
    const metrics = c.get('deps').ops?.metrics;
    if (!metrics) throw new AppError('NOT_FOUND', 'metrics are not enabled');
    return c.body(await metrics.scrape(), 200, { 'content-type': metrics.contentType });
  });
  return app;
}

/** Counts and times every request by its route pattern (never the raw path) and status. */
export function observeRequests(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const metrics = c.get('deps').ops?.metrics;
    if (!metrics) return next();
    const started = performance.now();
    try {
      await next();
    } finally {
      metrics.observeRequest(routeLabel(c), c.req.method, c.res.status, (performance.now() - started) / 1000);
    }
  };
}

function routeLabel(c: Parameters<MiddlewareHandler<AppEnv>>[0]): string {
  const route = routePath(c);
  return route === '' || route.endsWith('*') ? UNMATCHED_ROUTE : route;
}

/** Once shutdown has begun, every answer closes its connection (the dispatcher refuses new actions with 503 SHUTTING_DOWN). */
export function closeWhileStopping(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.get('deps').ops?.stopping()) c.header('connection', 'close');
    await next();
  };
}
