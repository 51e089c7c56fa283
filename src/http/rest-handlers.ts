/**
 * How each kind of REST route turns a request into an action's input and its answer into a
 * response. The route table (routes.ts) names, for each route, its action and one of these.
 */
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { EventFilter } from '../actions/events.ts';
import { unknownAction } from '../actions/dispatch.ts';
import type { DomainView } from '../model/domain-view.ts';
import { AppError } from '../errors.ts';
import type { SnapshotPage, SnapshotRecord, TimelinePage } from '../model/inventory.ts';
import { readMutationBody } from './body.ts';
import type { AppEnv } from './context.ts';
import { idempotent } from './idempotency.ts';
import { invoke } from './invoke.ts';
import { runOperation } from './operations.ts';
import { MAX_OPERATION_WAIT_SECONDS } from '../actions/operation-get.ts';
import type { Screenshot } from '../actions/domain-screenshot.ts';
import { MAX_ADDRESS_WAIT_SECONDS } from '../actions/domain-addresses.ts';
import { notCached, readPolicy, setOriginHeaders } from './read-policy.ts';
import { json, xml } from './respond.ts';
import { invokeRead, sourcedJson } from './sourced.ts';
import { pumpEvents } from './sse.ts';
import { changeView, domainView, snapshotView } from './views.ts';

/** Answers one request for the route's action. */
export type RouteHandler = (c: Context<AppEnv>, action: string) => Promise<Response>;

/** The path's domain, and its snapshot on the snapshot routes. */
const inPath = (c: Context<AppEnv>) => {
  const snapshot = c.req.param('snapshot');
  return snapshot === undefined ? { domain: c.req.param('name') } : { domain: c.req.param('name'), snapshot };
};

/** GET /domains: the list, fresh or cached. */
export const listDomains: RouteHandler = async (c, action) => {
  const { output } = await invokeRead(c, action, { detail: true });
  return sourcedJson(c, output, () => ({ domains: (output.data as DomainView[]).map(domainView) }), 'rest-domains');
};

/** GET /domains/{name}: one domain, fresh or cached. */
export const getDomain: RouteHandler = async (c, action) => {
  const { output } = await invokeRead(c, action, inPath(c));
  return sourcedJson(c, output, () => domainView(output.data as DomainView));
};

/** GET /host: host facts, fresh or cached. */
export const hostInfo: RouteHandler = async (c, action) => {
  const { output } = await invokeRead(c, action, {});
  return sourcedJson(c, output, () => ({ ...(output.data as Record<string, unknown>) }));
};

/** GET /domains/{name}/xml: always fresh. */
export const domainXml: RouteHandler = async (c, action) => {
  const { policy, rejection } = readPolicy(c);
  const { output } = await invoke(c, 'rest', { action, family: 'read', input: inPath(c), rejection: rejection ?? notCached(policy, 'domain XML') });
  setOriginHeaders(c, output.origin, c.get('deps').clock.now());
  return xml(c, output.data as string);
};

/** A read whose input is the query string (and the path's domain, if any), answered as JSON. */
export const queryRead: RouteHandler = async (c, action) => {
  const input = c.req.param('name') === undefined ? c.req.query() : { ...c.req.query(), ...inPath(c) };
  const { output } = await invoke(c, 'rest', { action, family: 'read', input });
  return json(c, output.data);
};

/** A read of one record by the path's id, answered as JSON. */
export const recordRead: RouteHandler = async (c, action) => {
  const { output } = await invoke(c, 'rest', { action, family: 'read', input: { id: c.req.param('id') } });
  return json(c, output.data);
};

/** A read of one record's XML document by the path's id. */
export const recordXml: RouteHandler = async (c, action) => {
  const { output } = await invoke(c, 'rest', { action, family: 'read', input: { id: c.req.param('id') } });
  return xml(c, output.data as string);
};

/** GET /domains/{name}/migration: the migration in progress. */
export const domainRead: RouteHandler = async (c, action) => {
  const { output } = await invoke(c, 'rest', { action, family: 'read', input: inPath(c) });
  return json(c, output.data);
};

/** GET /domains/{name}/addresses: `wait` long-polls for an IPv4 address (past the request timeout: the wait is what was asked for). */
export const addressesRead: RouteHandler = async (c, action) => {
  const wait = Number(c.req.query('wait'));
  if (wait > 0 && wait <= MAX_ADDRESS_WAIT_SECONDS) c.set('extendedUntil', Date.now() + wait * 1000 + 5000);
  const { output } = await invoke(c, 'rest', { action, family: 'read', input: { ...c.req.query(), ...inPath(c) } });
  return json(c, output.data);
};

/** A read of the path's domain (or snapshot) answered as XML. */
export const domainXmlRead: RouteHandler = async (c, action) => {
  const { output } = await invoke(c, 'rest', { action, family: 'read', input: inPath(c) });
  return xml(c, output.data as string);
};

/** GET /domains/{name}/screenshot: the image, as libvirt's MIME type says (kept privately for 10 s). */
export const screenshotImage: RouteHandler = async (c, action) => {
  const { output } = await invoke(c, 'rest', { action, family: 'read', input: { ...c.req.query(), ...inPath(c) } });
  const shot = output.data as Screenshot;
  const type = /^image\/(png|x-portable-pixmap)$/.test(shot.mime) ? shot.mime : 'application/octet-stream';
  return c.body(new Uint8Array(shot.image), 200, { 'content-type': type, 'cache-control': 'private, max-age=10', 'x-content-type-options': 'nosniff' });
};

/** DELETE of the path's snapshot, with the query's options (children). */
export const snapshotDelete: RouteHandler = (c, action) => idempotent(c, async () => {
  const req = { action, family: 'mutation' as const, input: { ...c.req.query(), ...inPath(c) } };
  return runOperation(c, 'rest', req, ({ output, auditId }) => json(c, { ...(output.data as object), auditId, requestId: c.get('requestId') }));
});

/** A mutation of the path's domain with the body's options (the domain in the body is refused). */
export const domainMutation: RouteHandler = (c, action) => pathMutation(c, action, 200);

/** POST /domains/{name}/snapshots: like domainMutation, answered 201 Created. */
export const snapshotCreate: RouteHandler = (c, action) => pathMutation(c, action, 201);

function pathMutation(c: Context<AppEnv>, action: string, status: 200 | 201): Promise<Response> {
  return idempotent(c, async () => {
    const { body, rejection } = await readMutationBody(c);
    const req = { action, family: 'mutation' as const, input: { ...body, ...inPath(c) }, rejection: rejection ?? domainInBody(body) };
    return runOperation(c, 'rest', req, ({ output, auditId }) => json(c, { ...(output.data as object), auditId, requestId: c.get('requestId') }, status));
  });
}

/** POST /domains/{name}/migrate-check: a read that takes a body like migrate's. */
export const migrateCheck: RouteHandler = async (c, action) => {
  const { body, rejection } = await readMutationBody(c);
  const { output } = await invoke(c, 'rest', { action, family: 'read', input: { ...body, ...inPath(c) }, rejection: rejection ?? domainInBody(body) });
  return json(c, output.data);
};

/** POST /domains/{name}/actions/{other}: an action the API does not offer, refused (and audited). */
export const unknownDomainAction: RouteHandler = async (c) => {
  const { body, rejection } = await readMutationBody(c);
  const name = c.req.param('action') ?? '';
  const { output } = await invoke(c, 'rest', { action: name, family: 'mutation', input: { ...body, ...inPath(c) }, rejection: rejection ?? unknownAction(name) });
  return json(c, output.data);
};

const CREATE_FORM_FIELDS = ['hostname', 'image', 'cpucount', 'memorycount', 'mac', 'ip', 'leasetime'];

/** POST /domains {xml, start}: define, or create (define + start) when start is true or the body is the create form (image, …). */
export const createOrDefine: RouteHandler = (c) => idempotent(c, async () => {
  const { body, rejection: unreadable } = await readMutationBody(c);
  const { start, ...rest } = body;
  const badStart = start !== undefined && typeof start !== 'boolean'
    ? new AppError('VALIDATION_FAILED', 'start: must be true or false', { fields: [{ field: 'start', message: 'must be true or false' }] })
    : undefined;
  // A body with any field of the create form is a create: a guest built from the form is always started.
  const fromForm = CREATE_FORM_FIELDS.some((field) => Object.hasOwn(rest, field));
  const notStarted = fromForm && start === false
    ? new AppError('VALIDATION_FAILED', 'start: a guest built from the create form is always started', { fields: [{ field: 'start', message: 'must be true or absent with the create form' }] })
    : undefined;
  const action = start === true || fromForm ? 'create' : 'define';
  const req = { action, family: 'mutation' as const, input: rest, rejection: unreadable ?? badStart ?? notStarted };
  return runOperation(c, 'rest', req, ({ output, auditId }) => json(c, { ...(output.data as object), auditId, requestId: c.get('requestId') }, 201));
});

/** GET /operations/{id}: one operation; `wait` long-polls until it ends (past the request timeout: the wait is what was asked for). */
export const operationGet: RouteHandler = async (c, action) => {
  const wait = Number(c.req.query('wait'));
  if (wait > 0 && wait <= MAX_OPERATION_WAIT_SECONDS) c.set('extendedUntil', Date.now() + wait * 1000 + 1000);
  const { output } = await invoke(c, 'rest', { action, family: 'read', input: { ...c.req.query(), id: c.req.param('id') } });
  return json(c, output.data);
};

/** DELETE /operations/{id}: cancels it; 202 with the operation (ended, or still ending). */
export const operationCancel: RouteHandler = async (c, action) => {
  const { output } = await invoke(c, 'rest', { action, family: 'mutation', input: { id: c.req.param('id') } });
  return json(c, output.data, 202);
};

/** GET /events: the Server-Sent Events stream. */
export const events: RouteHandler = async (c, action) => {
  const { output } = await invoke(c, 'rest', { action, family: 'read', input: c.req.query() });
  const feed = c.get('deps').feed;
  const lastEventId = c.req.header('last-event-id');
  return streamSSE(c, (stream) => pumpEvents(stream, feed, output.data as EventFilter, lastEventId));
};

/** GET /snapshots: a page of snapshots. */
export const snapshotList: RouteHandler = async (c, action) => {
  const { output } = await invoke(c, 'rest', { action, family: 'read', input: c.req.query() });
  const page = output.data as SnapshotPage;
  return json(c, { snapshots: page.snapshots.map(snapshotView), nextCursor: page.nextCursor });
};

/** GET /snapshots/{id}: one snapshot. */
export const snapshotGet: RouteHandler = async (c, action) => {
  const { output } = await invoke(c, 'rest', { action, family: 'read', input: { id: c.req.param('id') } });
  return json(c, snapshotView(output.data as SnapshotRecord));
};

/** GET /domains/{name}/timeline: a page of a domain's state changes. */
export const timeline: RouteHandler = async (c, action) => {
  const input = { ...c.req.query(), ...inPath(c) };
  const { output } = await invoke(c, 'rest', { action, family: 'read', input });
  const page = output.data as TimelinePage;
  return json(c, { domain: input.domain, changes: page.changes.map(changeView), nextCursor: page.nextCursor });
};

function domainInBody(body: Record<string, unknown>): AppError | undefined {
  const named = ['domain', 'snapshot'].find((field) => Object.hasOwn(body, field));
  return named
    ? new AppError('VALIDATION_FAILED', `the ${named} is named in the path`, { fields: [{ field: named, message: 'is not allowed in the body' }] })
    : undefined;
}
