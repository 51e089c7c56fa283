/** Builds an Invocation from a request and runs it through the dispatcher. */
import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { DispatchError, dispatch, isAudited, type Dispatched, type Invocation } from '../actions/dispatch.ts';
import type { ReadPolicy } from '../actions/types.ts';
import { AppError } from '../errors.ts';
import type { AuditProtocol } from '../model/audit.ts';
import type { CallerChannel } from '../model/channel.ts';
import type { AppEnv } from './context.ts';

/** What a protocol adapter knows about the request. */
export interface Requested {
  action: string;
  family: 'read' | 'mutation';
  input: Record<string, unknown>;
  rejection?: AppError | undefined;
  /** How the caller wants a read served (inventory reads). */
  read?: ReadPolicy;
}

/** The client's address, or null when it cannot be known (no Node request behind the context). */
export function remoteAddress(c: Context<AppEnv>): string | null {
  if (!c.env?.incoming) return null;
  try {
    return getConnInfo(c).remote.address ?? null;
  } catch {
    return null;
  }
}

/** Dispatches the requested action with the caller, request id and client facts of `c`. */
export async function invoke(c: Context<AppEnv>, protocol: AuditProtocol, req: Requested, onAccepted?: (auditId: number) => void, channel?: CallerChannel): Promise<Dispatched> {
  const caller = c.get('caller');
  const audited = caller === null || isAudited(c.get('deps'), req.family);
  const remoteAddr = audited ? remoteAddress(c) : null;
  if (caller === null) limitFailedAuth(c, remoteAddr);
  // A literal of fixed shape, not a spread of `req`: a spread made V8 build new hidden classes on
  // every request (measured with perf on the cached read).
  const inv: Invocation = {
    action: req.action,
    family: req.family,
    input: req.input,
    rejection: req.rejection,
    read: req.read,
    protocol,
    requestId: c.get('requestId'),
    caller,
    remoteAddr,
    userAgent: audited ? c.req.header('user-agent') ?? null : null,
    method: c.req.method,
    path: c.req.path,
    onAccepted,
    channel,
  };
  const domain = typeof req.input.domain === 'string' && req.input.domain !== '' ? req.input.domain.slice(0, 256) : null;
  try {
    const done = await dispatch(c.get('deps'), c.get('registry'), inv);
    c.set('invoked', { action: req.action.slice(0, 64), domain, outcome: 'succeeded', auditId: done.auditId });
    return done;
  } catch (err) {
    if (err instanceof DispatchError) c.set('invoked', { action: req.action.slice(0, 64), domain, outcome: err.outcome, auditId: err.auditId, errorCode: err.code });
    throw err;
  }
}

/**
 * A caller without a valid token takes one refusal from its address's budget; over the budget the
 * answer is 429 with Retry-After, and nothing is recorded but a metric.
 */
export function limitFailedAuth(c: Context<AppEnv>, peer: string | null): void {
  const { authLimiter, ops } = c.get('deps');
  const verdict = authLimiter?.take(peer) ?? { ok: true };
  ops?.metrics?.observeAuthRefusal(verdict.ok ? 'refused' : 'rate_limited');
  if (verdict.ok) return;
  throw new AppError('RATE_LIMITED', `too many requests without a valid token from this address; retry in ${verdict.retryAfterSeconds} s`, { retryAfterSeconds: verdict.retryAfterSeconds });
}
