/**
 * The REST API's one route table (Incus's endpoint table is the model): each route once, with its
 * method, path, action (whose file holds its role and input schema) and the handler that adapts
 * the request. Hono's registrations and /openapi.json are both made from it.
 */
import { Hono } from 'hono';
import type { AppEnv } from './context.ts';
import { consoleHandler } from './console.ts';
import * as handle from './rest-handlers.ts';

/** Actions reachable as POST /v1/domains/{name}/actions/{action}. */
export const DOMAIN_ACTIONS = ['start', 'shutdown', 'reboot', 'reset', 'destroy', 'suspend', 'resume', 'migrate'] as const;

/**
 * One REST route. `path` is OpenAPI's (`{name}`), under /v1. For the document: `body` 'path-domain'
 * = the action's input without `domain` (it is in the path), 'create' = define/create; `query`:
 * the input's fields are query parameters (but those in `pathFields`); `cached`: fresh or cached
 * (the `source` parameter and the origin headers); `stream`: Server-Sent Events; `hidden`: a route
 * that only refuses, left out of the document.
 */
export interface RestRoute {
  method: 'get' | 'post' | 'delete';
  path: string;
  action: string;
  handler: handle.RouteHandler;
  body?: 'path-domain' | 'create';
  query?: boolean;
  status?: '200' | '201' | '202';
  /** A mutation that runs as an operation: Prefer: respond-async, Idempotency-Key, and its 202. */
  operation?: boolean;
  pathFields?: string[];
  cached?: boolean;
  stream?: boolean;
  /** The media type of a success that is not JSON (an image). */
  produces?: string;
  /** A WebSocket session (the console): the request must be an upgrade. */
  websocket?: boolean;
  hidden?: boolean;
}

/** Every REST route, in the order the API documents them. */
export const REST_ROUTES: readonly RestRoute[] = [
  { method: 'get', path: '/domains', action: 'list-domains', handler: handle.listDomains, cached: true },
  { method: 'post', path: '/domains', action: 'create', handler: handle.createOrDefine, body: 'create', status: '201', operation: true },
  { method: 'get', path: '/domains/{name}', action: 'get-domain', handler: handle.getDomain, cached: true },
  { method: 'delete', path: '/domains/{name}', action: 'undefine', handler: handle.domainMutation, operation: true },
  { method: 'get', path: '/domains/{name}/xml', action: 'domain-xml', handler: handle.domainXml },
  ...DOMAIN_ACTIONS.map((a): RestRoute => ({ method: 'post', path: `/domains/{name}/actions/${a}`, action: a, handler: handle.domainMutation, body: 'path-domain', operation: true })),
  { method: 'post', path: '/domains/{name}/actions/{action}', action: '(unknown)', handler: handle.unknownDomainAction, hidden: true },
  { method: 'post', path: '/domains/{name}/migrate-check', action: 'migrate-check', handler: handle.migrateCheck, body: 'path-domain' },
  { method: 'get', path: '/domains/{name}/migration', action: 'migration-status', handler: handle.domainRead },
  { method: 'get', path: '/domains/{name}/snapshots', action: 'domain-snapshots', handler: handle.domainRead },
  { method: 'post', path: '/domains/{name}/snapshots', action: 'domain-snapshot-create', handler: handle.snapshotCreate, body: 'path-domain', status: '201', operation: true },
  { method: 'get', path: '/domains/{name}/snapshots/{snapshot}', action: 'domain-snapshot-get', handler: handle.domainRead },
  { method: 'get', path: '/domains/{name}/snapshots/{snapshot}/xml', action: 'domain-snapshot-xml', handler: handle.domainXmlRead },
  { method: 'post', path: '/domains/{name}/snapshots/{snapshot}/revert', action: 'domain-snapshot-revert', handler: handle.domainMutation, body: 'path-domain', operation: true },
  { method: 'delete', path: '/domains/{name}/snapshots/{snapshot}', action: 'domain-snapshot-delete', handler: handle.snapshotDelete, query: true, pathFields: ['domain', 'snapshot'], operation: true },
  { method: 'get', path: '/domains/{name}/addresses', action: 'domain-addresses', handler: handle.addressesRead, query: true, pathFields: ['domain'] },
  { method: 'get', path: '/stats/cpu', action: 'cpu-history', handler: handle.queryRead, query: true },
  { method: 'get', path: '/domains/{name}/stats', action: 'domain-stats', handler: handle.queryRead, query: true, pathFields: ['domain'] },
  { method: 'get', path: '/domains/{name}/screenshot', action: 'domain-screenshot', handler: handle.screenshotImage, query: true, pathFields: ['domain'], produces: 'image/png' },
  { method: 'get', path: '/domains/{name}/console', action: 'console', handler: consoleHandler, query: true, pathFields: ['domain'], websocket: true },
  { method: 'get', path: '/host', action: 'host-info', handler: handle.hostInfo, cached: true },
  { method: 'get', path: '/history', action: 'history-list', handler: handle.queryRead, query: true },
  { method: 'get', path: '/history/{id}', action: 'history-get', handler: handle.recordRead },
  { method: 'get', path: '/history/{id}/xml', action: 'history-xml', handler: handle.recordXml },
  { method: 'get', path: '/operations', action: 'operations-list', handler: handle.queryRead, query: true },
  { method: 'get', path: '/operations/{id}', action: 'operation-get', handler: handle.operationGet, query: true, pathFields: ['id'] },
  { method: 'delete', path: '/operations/{id}', action: 'operation-cancel', handler: handle.operationCancel, status: '202' },
  { method: 'get', path: '/snapshots', action: 'snapshots-list', handler: handle.snapshotList, query: true },
  { method: 'get', path: '/snapshots/{id}', action: 'snapshot-get', handler: handle.snapshotGet },
  { method: 'get', path: '/domains/{name}/timeline', action: 'domain-timeline', handler: handle.timeline, query: true, pathFields: ['domain'] },
  { method: 'get', path: '/events', action: 'events', handler: handle.events, query: true, stream: true },
];

/** The REST routes as a Hono app (mounted under /v1, and again under /ui/api for the dashboard). */
export function restRoutes(routes: readonly RestRoute[] = REST_ROUTES): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  for (const route of routes) {
    app.on(route.method.toUpperCase(), honoPath(route.path), (c) => route.handler(c, route.action));
  }
  return app;
}

/** `/domains/{name}` → `/domains/:name`. */
function honoPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ':$1');
}
