/**
 * The OpenAPI description of the REST API, made from the route table (routes.ts) and the same
 * valibot schemas the dispatcher validates with.
 */
import { toJsonSchema } from '@valibot/to-json-schema';
import type * as v from 'valibot';
import type { Action } from '../actions/types.ts';
import { ERROR_CODES } from '../errors.ts';
import { REST_ROUTES, type RestRoute } from './routes.ts';

const SOURCE_PARAMETERS = [
  { name: 'source', in: 'query', required: false, schema: { type: 'string', enum: ['fresh', 'cached'] },
    description: 'fresh: ask libvirt now; cached: the inventory view, never touching libvirt. Absent: Cache-Control decides '
      + '(no-cache = fresh, max-age=N = a snapshot at most N s old), else fresh with a fallback to the view.' },
  { name: 'Cache-Control', in: 'header', required: false, schema: { type: 'string' } },
];

const ORIGIN_HEADERS = {
  'X-Data-Source': { description: 'fresh or cached', schema: { type: 'string', enum: ['fresh', 'cached'] } },
  Age: { description: 'seconds since libvirt was read', schema: { type: 'integer' } },
  'Last-Modified': { description: 'when the data last changed', schema: { type: 'string' } },
};

const ErrorEnvelope = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'requestId'],
      properties: {
        code: { type: 'string', enum: [...ERROR_CODES] },
        message: { type: 'string' },
        fields: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } } },
        requestId: { type: 'string' },
        auditId: { type: 'integer' },
      },
    },
  },
};

type JsonSchema = Record<string, unknown> & { properties?: Record<string, unknown>; required?: string[] };

function schemaOf(schema: v.GenericSchema): JsonSchema {
  const { $schema: _draft, ...rest } = toJsonSchema(schema, { errorMode: 'ignore' }) as JsonSchema;
  return rest; // OpenAPI 3.1 speaks JSON Schema 2020-12; the draft-07 marker would mislead
}

function withoutField(schema: JsonSchema, field: string): JsonSchema {
  const { [field]: _dropped, ...properties } = schema.properties ?? {};
  return { ...schema, properties, required: (schema.required ?? []).filter((r) => r !== field) };
}

function bodySchema(route: RestRoute, input: JsonSchema): JsonSchema {
  if (route.body === 'path-domain') return withoutField(withoutField(input, 'domain'), 'snapshot');
  return { ...input, properties: { ...input.properties, start: { type: 'boolean', description: 'true: define and start (create); false or absent: define only' } } };
}

const OPERATION_PARAMETERS = [
  { name: 'Prefer', in: 'header', required: false, schema: { type: 'string' },
    description: 'respond-async (RFC 7240), optionally with wait=SECONDS: answer 202 with the operation once it runs, instead of waiting for its end' },
  { name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 255 },
    description: 'The same key and request within 24 h answers the first answer again and runs nothing; another request with it is 422, while the first runs 409' },
];

const ACCEPTED = {
  description: 'accepted: the operation runs (respond-async, or still running at the request timeout); follow Location',
  headers: { Location: { description: '/v1/operations/{id}', schema: { type: 'string' } } },
};

function success(route: RestRoute): Record<string, unknown> {
  if (route.websocket) {
    return { description: 'switching protocols (101): the session\'s bytes both ways as binary WebSocket messages; its end is a close frame with a code (4000 guest stopped, 4001 taken over, 4002 too slow, 4003 ended, 4004 libvirt lost) and a reason' };
  }
  if (route.produces) return { description: 'success', content: { [route.produces]: { schema: { type: 'string', format: 'binary' } } } };
  if (route.stream) return { description: 'an event stream, one JSON object per event', content: { 'text/event-stream': { schema: { type: 'string' } } } };
  return { description: 'success', ...(route.cached && { headers: ORIGIN_HEADERS }) };
}

function operation(route: RestRoute, action: Action): Record<string, unknown> {
  const pathParams = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
  const params = [...pathParams, ...(route.cached ? SOURCE_PARAMETERS : []), ...(route.operation ? OPERATION_PARAMETERS : [])];
  const op: Record<string, unknown> = {
    operationId: `${route.method}-/v1${route.path}`.replace(/[^a-z0-9]+/gi, '-'),
    summary: action.summary,
    'x-required-role': action.role,
    parameters: params,
    responses: {
      [route.websocket ? '101' : route.status ?? '200']: success(route),
      ...(route.operation && { 202: ACCEPTED }),
      default: { description: 'error', content: { 'application/json': { schema: ErrorEnvelope } } },
    },
  };
  const input = schemaOf(action.input);
  if (route.body) op.requestBody = { required: route.body === 'create', content: { 'application/json': { schema: bodySchema(route, input) } } };
  if (route.query) {
    const props = (input.properties ?? {}) as Record<string, unknown>;
    const query = Object.entries(props).filter(([name]) => !route.pathFields?.includes(name));
    op.parameters = [...params, ...query.map(([name, schema]) => ({ name, in: 'query', required: false, schema }))];
  }
  return op;
}

/** The OpenAPI 3.1 document for the registry's REST routes. */
export function openApiDocument(registry: ReadonlyMap<string, Action>): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of REST_ROUTES) {
    const action = registry.get(route.action);
    if (!action || route.hidden) continue;
    (paths[`/v1${route.path}`] ??= {})[route.method] = operation(route, action);
  }
  return {
    openapi: '3.1.0',
    info: { title: 'govirthost', version: '1', description: 'Host agent for libvirt/KVM machines' },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{ bearer: [] }],
    paths,
  };
}
