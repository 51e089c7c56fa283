/**
 * Every route the agent serves, for the fuzz campaign: the REST routes read from the OpenAPI
 * document (the agent's own route table), again under /ui/api, the seed protocol on `/`, the
 * dashboard, the operating endpoints, and a few routes that do not exist.
 */
import { createRegistry } from '../../src/actions/registry.ts';
import { openApiDocument } from '../../src/http/openapi.ts';
import type { BodyKind } from './hostile-shapes.ts';

/** A route: its path template ({name}, {id}, {action}), the methods it answers and what its body is. */
export interface FuzzRoute {
  template: string;
  methods: readonly string[];
  body: BodyKind;
  /** Under /ui but not /ui/api: pages, which may answer a refusal as HTML. */
  page?: boolean;
  /** How often it is picked relative to the others (1 unless given). */
  weight?: number;
}

/** Routes that read a body are picked more often: that is where most of the parsing is. */
const BODY_WEIGHT: Record<BodyKind, number> = { 'seed-get': 8, 'seed-mutation': 10, create: 8, migrate: 3, action: 2, undefine: 3, login: 3, none: 1 };

function bodyKindOf(path: string, method: string): BodyKind {
  if (method === 'get') return 'none';
  if (method === 'delete') return 'undefine';
  if (path === '/v1/domains') return 'create';
  return /\/(actions\/migrate|migrate-check)$/.test(path) ? 'migrate' : 'action';
}

/** The REST routes, as the OpenAPI document lists them (one entry per path, all its methods). */
export function restRoutes(): FuzzRoute[] {
  const paths = (openApiDocument(createRegistry()) as { paths: Record<string, Record<string, unknown>> }).paths;
  return Object.entries(paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => ({
    template: path, methods: [method.toUpperCase()], body: bodyKindOf(path, method),
  })));
}

const SEED: FuzzRoute[] = [
  { template: '/', methods: ['GET'], body: 'seed-get' },
  { template: '/', methods: ['POST', 'DELETE'], body: 'seed-mutation' },
];

const OTHERS: FuzzRoute[] = [
  { template: '/v1/domains/{name}/actions/{action}', methods: ['POST'], body: 'action' },
  { template: '/healthz', methods: ['GET'], body: 'none' },
  { template: '/readyz', methods: ['GET'], body: 'none' },
  { template: '/metrics', methods: ['GET'], body: 'none' },
  { template: '/openapi.json', methods: ['GET'], body: 'none' },
  { template: '/v1', methods: ['GET'], body: 'none', weight: 1 },
  { template: '/v1/{name}', methods: ['GET', 'POST'], body: 'action', weight: 1 },
  { template: '/v2/domains', methods: ['GET'], body: 'none', weight: 1 },
  { template: '/{name}', methods: ['GET', 'POST'], body: 'seed-mutation', weight: 1 },
];

const PAGES: FuzzRoute[] = [
  { template: '/ui', methods: ['GET'], body: 'none', page: true },
  { template: '/ui/', methods: ['GET'], body: 'none', page: true },
  { template: '/ui/login', methods: ['GET', 'POST'], body: 'login', page: true },
  { template: '/ui/logout', methods: ['POST'], body: 'login', page: true },
  { template: '/ui/domains/{name}', methods: ['GET'], body: 'none', page: true },
  { template: '/ui/history', methods: ['GET'], body: 'none', page: true },
  { template: '/ui/history.csv', methods: ['GET'], body: 'none', page: true },
  { template: '/ui/history.json', methods: ['GET'], body: 'none', page: true },
  { template: '/ui/assets/app.css', methods: ['GET'], body: 'none', page: true },
  { template: '/ui/assets/app.js', methods: ['GET'], body: 'none', page: true },
  { template: '/ui/{name}', methods: ['GET'], body: 'none', page: true },
];

/** Every route both protocols serve, the dashboard's API mirror, the pages and the operating endpoints. */
export function allRoutes(): FuzzRoute[] {
  const rest = restRoutes();
  const mirror = rest.map((r) => ({ ...r, template: r.template.replace(/^\/v1/, '/ui/api') }));
  return [...SEED, ...rest, ...mirror, ...OTHERS, ...PAGES].map((r) => ({ ...r, weight: r.weight ?? BODY_WEIGHT[r.body] }));
}

/** A route's name in the tallies: its methods and template. */
export function routeLabel(route: FuzzRoute): string {
  return `${route.methods.join('|')} ${route.template}`;
}

/** Whether a path (without its query) is a dashboard page rather than JSON API. */
export function isPagePath(path: string): boolean {
  return /^\/ui(\/|$|\?)/.test(path) && !/^\/ui\/api(\/|$|\?)/.test(path);
}
