/** Hono's typed context for this app: what middleware puts in and what handlers read. */
import type { IncomingMessage } from 'node:http';
import type { Caller } from '../actions/dispatch.ts';
import type { Action } from '../actions/types.ts';
import type { Deps } from '../deps.ts';

/** The app's Hono environment. */
export interface AppEnv {
  Bindings: { incoming?: IncomingMessage };
  Variables: {
    requestId: string;
    deps: Deps;
    registry: ReadonlyMap<string, Action>;
    /** null: tokens are configured and none valid was presented. */
    caller: Caller | null;
  };
}
