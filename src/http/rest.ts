/** The REST API under /v1: resources for domains, the host and the audit history. */
import { Hono, type Context } from 'hono';
import type { DomainView } from '../actions/list-domains.ts';
import { AppError } from '../errors.ts';
import { uuidToString, type ConnectionInfo, type NodeInfo } from '../libvirt/index.ts';
import { readMutationBody } from './body.ts';
import { unknownAction } from '../actions/dispatch.ts';
import type { AppEnv } from './context.ts';
import { invoke } from './invoke.ts';
import { notCached, readPolicy, setOriginHeaders } from './read-policy.ts';
import { json, xml } from './respond.ts';
import { migrationRoutes } from './rest-migration.ts';
import { invokeRead, sourcedJson } from './sourced.ts';

/** Actions reachable as POST /v1/domains/{name}/actions/{action}. */
export const DOMAIN_ACTIONS = ['start', 'shutdown', 'reboot', 'reset', 'destroy', 'suspend', 'resume', 'migrate'] as const;

/** The REST routes (mounted under /v1). */
export function restRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/domains', async (c) => {
    const { output } = await invokeRead(c, 'list-domains', { detail: true });
    return sourcedJson(c, output, () => ({ domains: (output.data as DomainView[]).map(domainView) }), 'rest-domains');
  });
  app.post('/domains', createOrDefine);
  app.get('/domains/:name', async (c) => {
    const { output } = await invokeRead(c, 'get-domain', { domain: c.req.param('name') });
    return sourcedJson(c, output, () => domainView(output.data as DomainView));
  });
  app.get('/domains/:name/xml', async (c) => {
    const { policy, rejection } = readPolicy(c);
    const input = { domain: c.req.param('name') };
    const { output } = await invoke(c, 'rest', { action: 'domain-xml', family: 'read', input, rejection: rejection ?? notCached(policy, 'domain XML') });
    setOriginHeaders(c, output.origin, c.get('deps').clock.now());
    return xml(c, output.data as string);
  });
  app.delete('/domains/:name', async (c) => {
    const { body, rejection } = await readMutationBody(c);
    return mutate(c, 'undefine', body, rejection);
  });
  app.post('/domains/:name/actions/:action', async (c) => {
    const { body, rejection } = await readMutationBody(c);
    const action = c.req.param('action');
    const offered = (DOMAIN_ACTIONS as readonly string[]).includes(action);
    return mutate(c, action, body, rejection ?? (offered ? undefined : unknownAction(action)));
  });
  app.get('/host', async (c) => {
    const { output } = await invokeRead(c, 'host-info', {});
    const data = output.data as { sysinfo: unknown; node: NodeInfo; libvirt: ConnectionInfo };
    return sourcedJson(c, output, () => ({ ...data }));
  });
  app.get('/history', async (c) => {
    const { output } = await invoke(c, 'rest', { action: 'history-list', family: 'read', input: c.req.query() });
    return json(c, output.data);
  });
  app.get('/history/:id', async (c) => {
    const { output } = await invoke(c, 'rest', { action: 'history-get', family: 'read', input: { id: c.req.param('id') } });
    return json(c, output.data);
  });
  app.get('/history/:id/xml', async (c) => {
    const { output } = await invoke(c, 'rest', { action: 'history-xml', family: 'read', input: { id: c.req.param('id') } });
    return xml(c, output.data as string);
  });
  migrationRoutes(app);
  return app;
}

async function mutate(c: Context<AppEnv>, action: string, body: Record<string, unknown>, rejected?: AppError): Promise<Response> {
  const input = { ...body, domain: c.req.param('name') };
  const inBody = 'domain' in body ? new AppError('VALIDATION_FAILED', 'the domain is named in the path', { fields: [{ field: 'domain', message: 'is not allowed in the body' }] }) : undefined;
  const { output, auditId } = await invoke(c, 'rest', { action, family: 'mutation', input, rejection: rejected ?? inBody });
  return json(c, { ...(output.data as object), auditId, requestId: c.get('requestId') });
}

const CREATE_FORM_FIELDS = ['hostname', 'image', 'cpucount', 'memorycount', 'mac', 'ip', 'leasetime'];

/** POST /v1/domains {xml, start}: define, or create (define + start) when start is true or the body is the create form (image, …). */
async function createOrDefine(c: Context<AppEnv>): Promise<Response> {
  const { body, rejection: unreadable } = await readMutationBody(c);
  const { start, ...rest } = body;
  const badStart = start !== undefined && typeof start !== 'boolean'
    ? new AppError('VALIDATION_FAILED', 'start: must be true or false', { fields: [{ field: 'start', message: 'must be true or false' }] })
    : undefined;
  // A body with any field of the create form is a create: a guest built from the form is always started.
  const fromForm = CREATE_FORM_FIELDS.some((field) => field in rest);
  const notStarted = fromForm && start === false
    ? new AppError('VALIDATION_FAILED', 'start: a guest built from the create form is always started', { fields: [{ field: 'start', message: 'must be true or absent with the create form' }] })
    : undefined;
  const rejection = unreadable ?? badStart ?? notStarted;
  const action = start === true || fromForm ? 'create' : 'define';
  const { output, auditId } = await invoke(c, 'rest', { action, family: 'mutation', input: rest, rejection });
  return json(c, { ...(output.data as object), auditId, requestId: c.get('requestId') }, 201);
}

/** A domain as REST shows it. */
export function domainView(d: DomainView): Record<string, unknown> {
  return {
    name: d.domain.name,
    uuid: uuidToString(d.domain.uuid),
    id: d.domain.id === -1 ? null : d.domain.id,
    state: d.stateText,
    reason: d.reasonText,
    active: d.active,
    persistent: d.persistent,
    autostart: d.autostart,
    vcpus: d.vcpus,
    memoryKiB: d.memoryKiB,
    maxMemoryKiB: d.maxMemoryKiB,
    cpuTimeNs: d.cpuTimeNs,
  };
}
