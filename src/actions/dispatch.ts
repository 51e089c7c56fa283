/**
 * The one dispatcher both protocols use: audit on receipt, authorize, validate, lock the domain,
 * run the handler, and close the audit record with what really happened.
 */
import * as v from 'valibot';
import { roleAllows } from '../auth/tokens.ts';
import type { Deps } from '../deps.ts';
import { AppError, boundedError, excerpt, toAppError, type FieldError } from '../errors.ts';
import type { AuditProtocol, AuditRecord, Caller } from '../model/audit.ts';
import type { CallerChannel } from '../model/channel.ts';
import { nameInXml } from './schemas.ts';
import type { Action, ActionOutput, ReadPolicy } from './types.ts';

/** One request for an action, already mapped from its protocol to a plain input object. */
export interface Invocation {
  action: string;
  family: 'read' | 'mutation';
  input: Record<string, unknown>;
  protocol: AuditProtocol;
  requestId: string;
  /** null when tokens are configured and none (or a bad one) was presented. */
  caller: Caller | null;
  /** The client's address and User-Agent, for the audit record (null when the invocation is not audited). */
  remoteAddr: string | null;
  /** The request's method and path, kept in the record of a refused request instead of its params. */
  method: string;
  path: string;
  userAgent: string | null;
  /** A problem the protocol adapter found (bad shape): rejected after auth, and audited. */
  rejection?: AppError;
  /** How the caller wants a read served: fresh from libvirt or from the inventory view. */
  read?: ReadPolicy;
  /** Called once an audited mutation becomes a running operation (validated, its domain held). */
  onAccepted?: (auditId: number) => void;
  /** The caller's two-way channel, when the request came as a WebSocket upgrade. */
  channel?: CallerChannel;
}

/** A finished invocation. */
export interface Dispatched<T = unknown> {
  action: Action;
  output: ActionOutput<T>;
  auditId: number | null;
}

/** The signal of invocations that are not operations: it never aborts. */
const NEVER_ABORTED = new AbortController().signal;
const IGNORE_PROGRESS = (): void => undefined;

const REJECTIONS = new Set(['BAD_REQUEST', 'VALIDATION_FAILED', 'INVALID_XML', 'RATE_LIMITED', 'INSUFFICIENT_STORAGE', 'UNKNOWN_ACTION', 'UNAUTHENTICATED', 'FORBIDDEN', 'DOMAIN_BUSY', 'PAYLOAD_TOO_LARGE', 'SHUTTING_DOWN', 'UPGRADE_REQUIRED']);

/** How a dispatched invocation ended, as the audit log and the metrics name it. */
export type DispatchOutcome = 'succeeded' | 'failed' | 'rejected' | 'canceled';

/** `rejected` for refusals before anything ran (validation, auth, busy), `canceled` for a canceled operation, else `failed`. */
export function outcomeOf(err: AppError): Exclude<DispatchOutcome, 'succeeded'> {
  if (err.code === 'OPERATION_CANCELED') return 'canceled';
  return REJECTIONS.has(err.code) ? 'rejected' : 'failed';
}

/** An AppError that also carries the audit id of the invocation that failed. */
export class DispatchError extends AppError {
  constructor(err: AppError, readonly auditId: number | null) {
    super(err.code, err.message, err.details);
  }

  /** failed or rejected. */
  get outcome(): Exclude<DispatchOutcome, 'succeeded'> {
    return outcomeOf(this);
  }
}

/** Runs an invocation through the registry; throws DispatchError on any failure. */
export async function dispatch(deps: Deps, registry: ReadonlyMap<string, Action>, inv: Invocation): Promise<Dispatched> {
  const action = registry.get(inv.action);
  const refusal = refusalOf(deps, inv, action);
  if (refusal) throw refuse(deps, inv, refusal);
  const audited = isAudited(deps, inv.family);
  const receivedAt = deps.clock.now();
  const auditId = audited ? beginAudit(deps, inv, receivedAt) : null;
  const started = performance.now();
  const ended = deps.ops?.inFlight.begin({ action: inv.action, requestId: inv.requestId, auditId, startedAt: deps.clock.now() });
  let outcome: DispatchOutcome = 'succeeded';
  let locked: string | null = null;
  let signal = NEVER_ABORTED;
  let finished: AuditRecord | null = null;
  try {
    if (deps.ops?.stopping()) throw new AppError('SHUTTING_DOWN', 'the agent is shutting down; try again once it is back, or another host');
    if (!action || action.kind !== inv.family) throw inv.rejection ?? unknownAction(inv.action);
    if (inv.rejection) throw inv.rejection;
    const input = validate(action, inv.input);
    locked = lockDomain(deps, action, input);
    const op = auditId !== null && action.kind === 'mutation'
      ? deps.operations.begin({ record: runningRecord(deps, inv, auditId, receivedAt), role: action.role, cancelable: action.cancelable === true, session: action.session === true })
      : null;
    if (op) signal = op.signal;
    if (op && auditId !== null) inv.onAccepted?.(auditId);
    const ctx = { deps, requestId: inv.requestId, auditId, read: inv.read, caller: inv.caller, signal, progress: op?.report ?? IGNORE_PROGRESS, registry, channel: inv.channel };
    const output = await action.run(input, ctx);
    keepXml(deps, action, auditId, input);
    if (auditId !== null) finished = finishAudit(deps, inv, auditId, 200, null, output.audit ?? null);
    return { action, output, auditId };
  } catch (thrown) {
    const err = boundedError(canceledInstead(toAppError(thrown), signal));
    outcome = outcomeOf(err);
    if (!(thrown instanceof AppError) && err.code === 'INTERNAL') deps.log.error({ err: thrown, requestId: inv.requestId }, 'action failed unexpectedly');
    if (auditId !== null) finished = finishAudit(deps, inv, auditId, err.status, err, err.details.result ?? null);
    throw new DispatchError(err, auditId);
  } finally {
    if (signal !== NEVER_ABORTED && auditId !== null) deps.operations.end(auditId, finished ?? deps.audit.get(auditId));
    if (locked !== null) deps.locks.release(locked);
    ended?.();
    deps.ops?.metrics?.observeAction(inv.action, outcome, (performance.now() - started) / 1000);
  }
}

/**
 * A canceled operation fails however its action noticed (an aborted libvirt job, an undone step):
 * its record says canceled, with the cancel's reason, and keeps what the action's error recorded.
 */
function canceledInstead(err: AppError, signal: AbortSignal): AppError {
  if (!signal.aborted || err.code === 'OPERATION_CANCELED') return err;
  const reason = signal.reason instanceof AppError ? signal.reason.message : 'canceled';
  return new AppError('OPERATION_CANCELED', `${reason}: ${err.message}`, { ...err.details });
}

/** Whether invocations of this family get an audit record: mutations always, reads with `auditReads`. */
export function isAudited(deps: Deps, family: Invocation['family']): boolean {
  return family === 'mutation' || deps.settings.auditReads;
}

/** The error for an action name the registry does not know (or that this route does not offer). */
export function unknownAction(name: string): AppError {
  const message = name ? `unknown action ${excerpt(name)}` : 'action is required';
  return new AppError('UNKNOWN_ACTION', message, { fields: [{ field: 'action', message: name ? 'is not a known action' : 'is required' }] });
}

/**
 * Why the invocation is refused before anything of its input is looked at: no valid token, a role
 * too low for the action, or (mutations) a nearly full disk. Such refusals keep a fixed-size record.
 */
function refusalOf(deps: Deps, inv: Invocation, action: Action | undefined): AppError | null {
  if (!inv.caller) return new AppError('UNAUTHENTICATED', 'a valid bearer token is required');
  const known = action !== undefined && action.kind === inv.family;
  if (known && !roleAllows(inv.caller.role, action.role)) {
    return new AppError('FORBIDDEN', `role '${inv.caller.role}' may not do this; '${action.role}' is required`);
  }
  const low = known && inv.family === 'mutation' ? deps.disk?.state().low : null;
  if (low) return new AppError('INSUFFICIENT_STORAGE', `${low}; reads go on`);
  return null;
}

/**
 * Records a refusal as a fixed-size row (method and path, never the body) and returns its error.
 * Failed authentication and authorization are recorded for reads too (the rate limit in front of
 * them bounds how many): who knocked matters even when nothing was done.
 */
function refuse(deps: Deps, inv: Invocation, err: AppError): DispatchError {
  const recorded = isAudited(deps, inv.family) || err.code === 'UNAUTHENTICATED' || err.code === 'FORBIDDEN';
  const auditId = recorded
    ? deps.audit.refuse({
      requestId: inv.requestId, receivedAt: deps.clock.now(), actor: inv.caller?.name ?? 'anonymous', remoteAddr: inv.remoteAddr,
      protocol: inv.protocol, action: inv.action.slice(0, 64) || '(none)', domain: text(inv.input.domain), method: inv.method, path: inv.path,
      httpStatus: err.status, errorCode: err.code, errorMessage: err.message,
    })
    : null;
  deps.ops?.metrics?.observeAction(inv.action, 'rejected', 0);
  if (auditId !== null) emitFinished(deps, inv, auditId);
  return new DispatchError(err, auditId);
}

function validate<I>(action: Action<I>, raw: Record<string, unknown>): I {
  const parsed = parseWith(action.input, raw);
  if ('error' in parsed) throw parsed.error;
  return parsed.value;
}

/** Parses `raw` with `schema`: its output, or the VALIDATION_FAILED error naming every field at fault. Both protocols validate through it. */
export function parseWith<T>(schema: v.GenericSchema<unknown, T>, raw: unknown): { value: T } | { error: AppError } {
  const parsed = v.safeParse(schema, raw);
  if (parsed.success) return { value: parsed.output };
  const fields = parsed.issues.map(fieldError);
  const first = fields[0];
  return { error: new AppError('VALIDATION_FAILED', first ? `${first.field}: ${first.message}` : 'invalid input', { fields }) };
}

/** Turns a valibot issue into {field, message}, rewording strictObject's generic messages. */
export function fieldError(issue: v.BaseIssue<unknown>): FieldError {
  const field = v.getDotPath(issue) ?? '(body)';
  if (issue.type !== 'strict_object' && issue.type !== 'object') return { field, message: issue.message };
  if (issue.expected === 'never') return { field, message: 'is not a known field' };
  if (issue.input === undefined) return { field, message: 'is required' };
  return { field, message: 'must be a JSON object' };
}

/** The whole XML of a define or create that succeeded, kept beside its record (the record holds its digest). */
function keepXml<I>(deps: Deps, action: Action<I>, auditId: number | null, input: I): void {
  const xml = (input as { xml?: unknown }).xml;
  if (auditId !== null && action.keepsXml && typeof xml === 'string' && xml !== '') deps.audit.keepDocument(auditId, 'xml', xml);
}

function lockDomain<I>(deps: Deps, action: Action<I>, input: I): string | null {
  if (action.kind !== 'mutation' || !action.domainOf || action.session) return null;
  const domain = action.domainOf(input);
  if (domain === null) return null;
  if (!deps.locks.tryAcquire(domain, action.name)) {
    throw new AppError('DOMAIN_BUSY', `domain '${domain}' is busy with '${deps.locks.holder(domain)}'`, { fields: [{ field: 'domain', message: 'is busy' }] });
  }
  return domain;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value.slice(0, 256) : null;
}

/** The record of an operation as it starts to run, built in memory (no read). */
function runningRecord(deps: Deps, inv: Invocation, id: number, receivedAt: number): AuditRecord {
  return {
    id, requestId: inv.requestId, receivedAt, startedAt: deps.clock.now(), finishedAt: null, durationMs: null,
    actor: inv.caller?.name ?? 'anonymous', remoteAddr: inv.remoteAddr, userAgent: inv.userAgent, protocol: inv.protocol,
    action: inv.action.slice(0, 64), domain: domainOf(inv), target: text(inv.input.target), params: {},
    outcome: 'running', httpStatus: null, errorCode: null, errorMessage: null, libvirtCode: null, result: null, progress: null, seq: null,
  };
}

function domainOf(inv: Invocation): string | null {
  return text(inv.input.domain) ?? text(inv.input.hostname) ?? (typeof inv.input.xml === 'string' ? nameInXml(inv.input.xml) : null);
}

function beginAudit(deps: Deps, inv: Invocation, receivedAt: number): number {
  return deps.audit.begin({
    requestId: inv.requestId,
    receivedAt,
    actor: inv.caller?.name ?? 'anonymous',
    remoteAddr: inv.remoteAddr,
    userAgent: inv.userAgent,
    protocol: inv.protocol,
    action: inv.action.slice(0, 64) || '(none)',
    domain: domainOf(inv),
    target: text(inv.input.target),
    params: inv.input,
  });
}

/** Completes record `id`; returns it when it was read back (for the listeners), else null. */
function finishAudit(deps: Deps, inv: Invocation, id: number, status: number, err: AppError | null, result: Record<string, unknown> | null): AuditRecord | null {
  deps.audit.finish(id, {
    finishedAt: deps.clock.now(),
    outcome: err === null ? 'succeeded' : outcomeOf(err),
    httpStatus: status,
    errorCode: err?.code ?? null,
    errorMessage: err?.message ?? null,
    libvirtCode: err?.details.libvirtCode ?? null,
    result,
    progress: deps.operations.progressOf(id),
    startedAt: deps.operations.startedAt(id),
  });
  return emitFinished(deps, inv, id);
}

function emitFinished(deps: Deps, inv: Invocation, id: number): AuditRecord | null {
  const record = deps.auditFinished.size > 0 ? deps.audit.get(id) : null;
  if (record) deps.auditFinished.emit({ record, family: inv.family }, (e) => deps.log.error({ err: e }, 'audit listener failed'));
  return record;
}
