/** Hono's typed context for this app: what middleware puts in and what handlers read. */
import type { IncomingMessage } from 'node:http';
import type { Caller } from '../model/audit.ts';
import type { Action } from '../actions/types.ts';
import type { Deps } from '../deps.ts';
import type { UpgradeBinding } from './upgrade.ts';

/** The action a request ran and how it ended. */
export interface InvokedSummary {
  action: string;
  domain: string | null;
  outcome: 'running' | 'succeeded' | 'failed' | 'rejected' | 'canceled';
  auditId: number | null;
  errorCode?: string;
}

/** Headers set for this request's response, not yet applied to it (see respond.ts). */
export interface PendingHeaders {
  values: Record<string, string>;
  applied: boolean;
}

/** The app's Hono environment. */
export interface AppEnv {
  Bindings: { incoming?: IncomingMessage; upgrade?: UpgradeBinding };
  Variables: {
    requestId: string;
    deps: Deps;
    registry: ReadonlyMap<string, Action>;
    /** null: tokens are configured and none valid was presented. */
    caller: Caller | null;
    /** What the dispatcher did with this request, for its log line (unset for requests with no action). */
    invoked?: InvokedSummary;
    /** Response headers not yet applied (see respond.ts). */
    replyHeaders?: PendingHeaders;
    /** The operation this request started, once it runs (a mutation). */
    operation?: { id: number; protocol: 'seed' | 'rest' };
    /** A long poll's own time limit (epoch ms), past the request timeout. */
    extendedUntil?: number;
    /** The Idempotency-Key this request claimed. */
    idempotencyClaim?: { actor: string; key: string };
  };
}
