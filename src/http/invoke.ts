/** Builds an Invocation from a request and runs it through the dispatcher. */
import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { dispatch, type Dispatched, type Invocation } from '../actions/dispatch.ts';
import type { ReadPolicy } from '../actions/types.ts';
import type { AppError } from '../errors.ts';
import type { AuditProtocol } from '../store/types.ts';
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

function remoteAddress(c: Context<AppEnv>): string | null {
  if (!c.env?.incoming) return null;
  try {
    return getConnInfo(c).remote.address ?? null;
  } catch {
    return null;
  }
}

/** Dispatches the requested action with the caller, request id and client facts of `c`. */
export function invoke(c: Context<AppEnv>, protocol: AuditProtocol, req: Requested): Promise<Dispatched> {
  const inv: Invocation = {
    ...req,
    protocol,
    requestId: c.get('requestId'),
    caller: c.get('caller'),
    remoteAddr: remoteAddress(c),
    userAgent: c.req.header('user-agent') ?? null,
  };
  return dispatch(c.get('deps'), c.get('registry'), inv);
}
