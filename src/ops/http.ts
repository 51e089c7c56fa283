/** The operating endpoints: GET /readyz and GET /metrics. */
import { Hono } from 'hono';
import { AppError } from '../errors.ts';
import type { AppEnv } from '../http/context.ts';
import { json } from '../http/respond.ts';
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
