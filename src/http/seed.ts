/**
 * The original protocol on `/`: GET reads with a JSON body {target, domain}, POST acts, DELETE
 * undefines. Answers are shaped and encoded as the Go original did (encoding/json), field for field.
 */
import { Hono, type Context } from 'hono';
import * as v from 'valibot';
import { parseWith } from '../actions/dispatch.ts';
import type { DomainView } from '../model/domain-view.ts';
import { invalidXml } from '../actions/schemas.ts';
import type { ActionOutput } from '../actions/types.ts';
import { AppError, excerpt } from '../errors.ts';
import { domainXmlProblem } from '../guest/xml-guard.ts';
import { readJsonObject, readMutationBody } from './body.ts';
import type { AppEnv } from './context.ts';
import { idempotent } from './idempotency.ts';
import { invoke, type Requested } from './invoke.ts';
import { runOperation } from './operations.ts';
import { goJsonPlain } from '../model/json.ts';
import { notCached, readPolicy, setOriginHeaders } from './read-policy.ts';
import { goJsonResponse, jsonText, xml } from './respond.ts';

// Go callers send every field of their structs, zero values included: "" / 0 / null mean "not given".
const Text = v.optional(v.nullable(v.string('must be a string')));
const Int = v.optional(v.nullable(v.number('must be a number')));

// `source` ("fresh" or "cached") is ours, not the Go original's: Go callers never send it.
const GetBody = v.strictObject({ target: Text, domain: Text, source: Text });
// valibot's object schemas take arrays too: a form given as [] is refused, not read as empty.
const CreateVmForm = v.pipe(
  v.custom<Record<string, unknown>>((x) => typeof x === 'object' && x !== null && !Array.isArray(x), 'must be a JSON object'),
  v.strictObject({ hostname: Text, mac: Text, ip: Text, cpucount: Int, memorycount: Int, image: Text, xml: Text, leasetime: Int }),
);
const PostBody = v.strictObject({ domain: Text, action: Text, target: Text, createvmform: v.optional(v.nullable(CreateVmForm)) });

// A Map, not an object literal: a target such as `constructor` or `__proto__` must find nothing.
const READ_TARGETS: ReadonlyMap<string, string> = new Map([['vm', 'list-domains'], ['xml', 'domain-xml'], ['metal', 'host-sysinfo']]);

/** The seed protocol's routes. */
export function seedRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/', seedGet);
  app.post('/', (c) => idempotent(c, () => seedMutation(c, 'post')));
  app.delete('/', (c) => idempotent(c, () => seedMutation(c, 'delete')));
  return app;
}

async function seedGet(c: Context<AppEnv>): Promise<Response> {
  const deps = c.get('deps');
  const body = (await readJsonObject(c, deps.settings.bodyLimitBytes)) ?? c.req.query();
  const shape = parseShape(GetBody, body);
  const target = given(shape.value?.target);
  const action = target ? READ_TARGETS.get(target) : undefined;
  const input = target === 'xml' ? withoutZeros({ domain: shape.value?.domain }) : {}; // vm and metal ignore a domain
  const { policy, rejection: badSource } = readPolicy(c, given(shape.value?.source));
  const rejection = shape.error ?? (action ? undefined : unknownTarget(target)) ?? badSource ?? (target === 'xml' ? notCached(policy, 'domain XML') : undefined);
  const { output } = await invoke(c, 'seed', { action: action ?? 'list-domains', family: 'read', input, rejection, read: policy });
  setOriginHeaders(c, output.origin, deps.clock.now());
  if (target === 'xml') return xml(c, output.data as string);
  if (target === 'metal') return goJsonResponse(c, { hostmemoryInfo: output.data });
  return seedVm(c, output);
}

/** The vm answer; a cached one is rendered once per version of the inventory view. */
function seedVm(c: Context<AppEnv>, output: ActionOutput): Response {
  const list = output.data as readonly DomainView[];
  const render = () => goJsonPlain({ domains: list.map(seedDomainInfo) }); // UUIDs are already arrays of numbers
  return jsonText(c, output.origin?.source === 'cached' ? c.get('deps').inventory.view.rendered(list, 'seed-vm', render) : render());
}

async function seedMutation(c: Context<AppEnv>, method: 'post' | 'delete'): Promise<Response> {
  const { body, rejection } = await readMutationBody(c);
  const requested = method === 'post' ? fromPost(body) : fromDelete(body);
  const req = { ...requested, rejection: rejection ?? requested.rejection };
  return runOperation(c, 'seed', req, ({ output, auditId }) => goJsonResponse(c, { ...(output.data as object), auditId, requestId: c.get('requestId') }));
}

/** Maps a POST body to an action and its input. */
function fromPost(body: Record<string, unknown>): Requested {
  const shape = parseShape(PostBody, body);
  const action = typeof body.action === 'string' ? body.action : '';
  if (!shape.value) return { action, family: 'mutation', input: withoutZeros(body), rejection: shape.error };
  const p = shape.value;
  const form = p.createvmform ?? {};
  const decoded = decodeXmlField(form.xml);
  const input = withoutZeros({ domain: p.domain, target: p.target, ...form, xml: decoded.xml });
  return { action, family: 'mutation', input, rejection: decoded.error ?? (action ? undefined : missingAction()) };
}

/** Maps a DELETE body (the POST shape; action empty or "undefine") to undefine. */
function fromDelete(body: Record<string, unknown>): Requested {
  const shape = parseShape(PostBody, body);
  if (!shape.value) return { action: 'undefine', family: 'mutation', input: withoutZeros(body), rejection: shape.error };
  const p = shape.value;
  const action = given(p.action);
  const wrongAction = action && action !== 'undefine'
    ? new AppError('VALIDATION_FAILED', 'DELETE only undefines', { fields: [{ field: 'action', message: 'must be empty or "undefine"' }] })
    : undefined;
  const extra = hasFormValues(p.createvmform) || given(p.target)
    ? new AppError('VALIDATION_FAILED', 'DELETE takes only the domain', { fields: [{ field: given(p.target) ? 'target' : 'createvmform', message: 'is not used by DELETE' }] })
    : undefined;
  return { action: 'undefine', family: 'mutation', input: withoutZeros({ domain: p.domain }), rejection: wrongAction ?? extra };
}

/** go-libvirt's Domain {Name, UUID [16]byte, ID int32} and the virsh state string. */
function seedDomainInfo(d: DomainView): { domain: { Name: string; UUID: number[]; ID: number }; state: string } {
  return { domain: { Name: d.domain.name, UUID: Array.from(d.domain.uuid), ID: d.domain.id }, state: d.stateText };
}

/**
 * createvmform.xml is a Go []byte, so encoding/json sends it as standard base64. Raw XML text is
 * accepted too: it contains '<', so it can never be valid base64. Either way the text must pass the
 * XML guard (INVALID_XML, field createvmform.xml) before any action sees it.
 */
export function decodeXmlField(value: string | null | undefined): { xml: string | undefined; error?: AppError } {
  const decoded = decodeXmlBytes(value);
  const problem = decoded.xml === undefined ? null : domainXmlProblem(decoded.xml);
  return problem === null ? decoded : { xml: undefined, error: invalidXml('createvmform.xml', problem) };
}

function decodeXmlBytes(value: string | null | undefined): { xml: string | undefined; error?: AppError } {
  if (value === null || value === undefined || value === '') return { xml: undefined };
  if (value.includes('<')) return { xml: value };
  const compact = value.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 !== 0) {
    return { xml: undefined, error: badXml('must be base64 ([]byte) or XML text') };
  }
  try {
    return { xml: new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(compact, 'base64')) };
  } catch {
    return { xml: undefined, error: badXml('decodes to bytes that are not UTF-8 text') };
  }
}

function badXml(message: string): AppError {
  return new AppError('VALIDATION_FAILED', `createvmform.xml: ${message}`, { fields: [{ field: 'createvmform.xml', message }] });
}

function parseShape<S extends v.GenericSchema>(schema: S, body: unknown): { value: v.InferOutput<S> | null; error?: AppError } {
  const parsed = parseWith(schema, body);
  return 'error' in parsed ? { value: null, error: parsed.error } : { value: parsed.value };
}

function given(value: string | null | undefined): string | undefined {
  return value === null || value === undefined || value === '' ? undefined : value;
}

function withoutZeros(obj: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined && v !== null && v !== '' && v !== 0));
}

function hasFormValues(form: Record<string, unknown> | null | undefined): boolean {
  return !!form && Object.keys(withoutZeros(form)).length > 0;
}

function unknownTarget(target: string | undefined): AppError {
  const message = target ? `unknown target ${excerpt(target)}; use vm, xml or metal` : 'target is required: vm, xml or metal';
  return new AppError('VALIDATION_FAILED', message, { fields: [{ field: 'target', message: 'must be vm, xml or metal' }] });
}

function missingAction(): AppError {
  return new AppError('UNKNOWN_ACTION', 'action is required', { fields: [{ field: 'action', message: 'is required' }] });
}
