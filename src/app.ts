/** createApp(deps): the Hono app with its middleware, both protocols and one error handler. No I/O here. */
import { Hono } from 'hono';
import { createRegistry } from './actions/registry.ts';
import type { Action } from './actions/types.ts';
import type { Deps } from './deps.ts';
import { AppError } from './errors.ts';
import type { AppEnv } from './http/context.ts';
import { openApiDocument } from './http/openapi.ts';
import { requestLifecycle } from './http/lifecycle.ts';
import { errorResponse, json } from './http/respond.ts';
import { restRoutes } from './http/routes.ts';
import { seedRoutes } from './http/seed.ts';
import { uiRoutes } from './ui/routes.tsx';
import { opsRoutes } from './ops/http.ts';

/** Builds the app over its dependencies. */
export function createApp(deps: Deps, registry: ReadonlyMap<string, Action> = createRegistry()): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use(requestLifecycle(deps, registry));
  app.get('/healthz', (c) => json(c, { status: 'ok' }));
  app.get('/openapi.json', (c) => json(c, openApiDocument(registry)));
  app.route('/', opsRoutes());
  app.route('/v1', restRoutes());
  app.route('/', uiRoutes());
  app.route('/', seedRoutes());
  app.notFound((c) => errorResponse(c, new AppError('NOT_FOUND', `no route for ${c.req.method} ${c.req.path}`)));
  app.onError((err, c) => errorResponse(c, err));
  return app;
}
