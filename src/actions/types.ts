/**
 * The shape of one action: its name, whether it reads or mutates, the role it needs, the valibot
 * schema of its input, and a stateless `run`.
 */
import type * as v from 'valibot';
import type { Role } from '../auth/tokens.ts';
import type { Deps } from '../deps.ts';

/** What a handler gets besides its input. */
export interface ActionContext {
  deps: Deps;
  requestId: string;
  /** The audit record of this invocation, when it is audited. */
  auditId: number | null;
}

/** A handler's answer: the data to render and what the audit record keeps of it. */
export interface ActionOutput<T = unknown> {
  data: T;
  /** The resulting state and other facts for the audit record (mutations). */
  audit?: Record<string, unknown>;
}

/** One action. `domainOf` names the domain to lock and audit (mutations). */
export interface Action<I = any, T = unknown> {
  name: string;
  kind: 'read' | 'mutation';
  role: Role;
  summary: string;
  input: v.GenericSchema<unknown, I>;
  domainOf?: (input: I) => string | null;
  run(input: I, ctx: ActionContext): Promise<ActionOutput<T>>;
}

/** Defines an action with its input type inferred from the schema. */
export function defineAction<I, T>(action: Action<I, T>): Action<I, T> {
  return action;
}
