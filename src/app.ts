/** createApp(deps): the Hono app with its middleware, both protocols and one error handler. No I/O here. */
import { Hono, type MiddlewareHandler } from 'hono';
import { requestId } from 'hono/request-id';
import { createRegistry } from './actions/registry.ts';
import type { Action } from './actions/types.ts';
import type { Deps } from './deps.ts';
import { AppError } from './errors.ts';
import { resolveCaller } from './http/auth.ts';
import type { AppEnv } from './http/context.ts';
import { openApiDocument } from './http/openapi.ts';
import { requestTimeout } from './http/request-timeout.ts';
import { inventoryRoutes } from './http/inventory-routes.ts';
import { errorResponse, json } from './http/respond.ts';
import { restRoutes } from './http/rest.ts';
import { seedRoutes } from './http/seed.ts';
import { uiRoutes } from './ui/routes.tsx';
import { closeWhileStopping, observeRequests, opsRoutes } from './ops/http.ts';

/** Builds the app over its dependencies. */
export function createApp(deps: Deps, registry: ReadonlyMap<string, Action> = createRegistry()): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use(requestId({ limitLength: 128 }));
  app.use(async (c, next) => {
    c.set('deps', deps);
    c.set('registry', registry);
    await next();
  });
  app.use(logRequests());
  app.use(observeRequests());
  app.use(closeWhileStopping());
  app.use(resolveCaller());
  app.use(requestTimeout());
  app.get('/healthz', (c) => json(c, { status: 'ok' }));
  app.get('/openapi.json', (c) => json(c, openApiDocument(registry)));
  app.route('/', opsRoutes());
  app.route('/v1', restRoutes());
  app.route('/v1', inventoryRoutes());
  app.route('/', uiRoutes());
  app.route('/', seedRoutes());
  app.notFound((c) => errorResponse(c, new AppError('NOT_FOUND', `no route for ${c.req.method} ${c.req.path}`)));
  app.onError((err, c) => errorResponse(c, err));
  return app;
}

/** One structured log line per request: who, what, the action and domain it ran, how it ended, how long it took. */
function logRequests(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    await next();
    const log = c.get('deps').log;
    if (!log.isLevelEnabled('info')) return; // the line's object is not built when it would be dropped
    log.info({
      requestId: c.get('requestId'), method: c.req.method, path: c.req.path, status: c.res.status,
      durationMs: Math.round((performance.now() - started) * 100) / 100, actor: c.get('caller')?.name ?? null,
      ...c.get('invoked'),
    }, 'request');
  };
}
