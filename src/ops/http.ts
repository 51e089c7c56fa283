/**
 * The operating endpoints, GET /readyz and GET /metrics, and the record of every answered request
 * (its metrics and its log line).
 */
import { Hono, type Context } from 'hono';
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

/**
 * Records an answered request: counts and times it by its route pattern (never the raw path) and
 * status, and writes its log line (who, what, the action and domain it ran, how it ended, how long).
 */
export function recordRequest(c: Context<AppEnv>, started: number): void {
  const seconds = (performance.now() - started) / 1000;
  const { ops, log } = c.get('deps');
  ops?.metrics?.observeRequest(routeLabel(c), c.req.method, c.res.status, seconds);
  if (!log.isLevelEnabled('info')) return; // the line's object is not built when it would be dropped
  log.info({
    requestId: c.get('requestId'), method: c.req.method, path: c.req.path, status: c.res.status,
    durationMs: Math.round(seconds * 100_000) / 100, actor: c.get('caller')?.name ?? null,
    ...c.get('invoked'),
  }, 'request');
}

function routeLabel(c: Context<AppEnv>): string {
  const route = routePath(c);
  return route === '' || route.endsWith('*') ? UNMATCHED_ROUTE : route;
}
