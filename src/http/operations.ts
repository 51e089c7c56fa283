/**
 * Mutations as operations over HTTP: `Prefer: respond-async` (RFC 7240, with an optional
 * `wait=SECONDS`) answers 202 Accepted with `Location: /v1/operations/{id}` and the operation once
 * it runs; a mutation still running at the request timeout gets the same 202 instead of a 504
 * (request-timeout.ts), and goes on. The seed protocol keeps its synchronous answers.
 */
import type { Context } from 'hono';
import type { Dispatched } from '../actions/dispatch.ts';
import { operationLocation, operationView } from '../operations/view.ts';
import { AppError } from '../errors.ts';
import type { AuditProtocol } from '../model/audit.ts';
import type { AppEnv } from './context.ts';
import { invoke, type Requested } from './invoke.ts';
import { json, setReplyHeader } from './respond.ts';

/** The operation a request started, once it runs. */
export interface RequestOperation {
  id: number;
  protocol: AuditProtocol;
}

/** The longest `Prefer: wait=` honoured before a 202: a request answers within its timeout anyway. */
const MAX_PREFER_WAIT_MS = 10_000;

/** The caller's Prefer header: respond-async (and how long it would wait first), or null. */
export function asyncPreference(c: Context<AppEnv>): { waitMs: number } | null {
  const header = c.req.header('prefer');
  if (!header) return null;
  const prefs = header.toLowerCase().split(/[,;]/).map((p) => p.trim());
  if (!prefs.includes('respond-async')) return null;
  const wait = prefs.find((p) => /^wait=\d{1,6}$/.test(p));
  return { waitMs: wait ? Math.min(Number(wait.slice(5)) * 1000, MAX_PREFER_WAIT_MS) : 0 };
}

/**
 * Runs a mutation as an operation: answers `render(dispatched)` once it ends, or, when the caller
 * prefers asynchrony and it is still running after its wait, 202 with the operation.
 */
export async function runOperation(c: Context<AppEnv>, protocol: AuditProtocol, req: Requested, render: (done: Dispatched) => Response): Promise<Response> {
  const preference = protocol === 'rest' ? asyncPreference(c) : null;
  let accepted: (id: number) => void = () => {};
  const running = new Promise<number>((resolve) => { accepted = resolve; });
  const done = invoke(c, protocol, req, (id) => {
    markAccepted(c, { id, protocol }, req);
    accepted(id);
  });
  if (!preference) return render(await done);
  const first = await Promise.race([done, running.then((id) => pause(preference.waitMs, done).then(() => id))]);
  if (typeof first !== 'number') return render(first);
  done.catch(() => {}); // it ends in its audit record; the caller follows the Location
  setReplyHeader(c, 'preference-applied', 'respond-async');
  return acceptedResponse(c, first);
}

/** 202 Accepted with the operation's Location and its current state. */
export function acceptedResponse(c: Context<AppEnv>, id: number): Response {
  const deps = c.get('deps');
  deps.operations.announce(id); // shown to a caller: marked running, on the feed
  const record = deps.audit.get(id);
  if (!record) throw new AppError('INTERNAL', `operation ${id} has no record`);
  setReplyHeader(c, 'location', operationLocation(id));
  return json(c, operationView(record, deps.operations.live(id) ?? null), 202);
}

function markAccepted(c: Context<AppEnv>, op: RequestOperation, req: Requested): void {
  c.set('operation', op);
  const domain = typeof req.input.domain === 'string' && req.input.domain !== '' ? req.input.domain.slice(0, 256) : null;
  c.set('invoked', { action: req.action.slice(0, 64), domain, outcome: 'running', auditId: op.id });
  const claim = c.get('idempotencyClaim');
  if (claim) c.get('deps').idempotency?.attach(claim.actor, claim.key, op.id);
}

/** Resolves after `ms`, or as soon as `done` settles. */
function pause(ms: number, done: Promise<unknown>): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    done.finally(() => { clearTimeout(timer); resolve(); }).catch(() => {});
  });
}
