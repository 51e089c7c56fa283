/**
 * The shape of one action: its name, whether it reads or mutates, the role it needs, the valibot
 * schema of its input, and a stateless `run`.
 */
import type * as v from 'valibot';
import type { Role } from '../auth/tokens.ts';
import type { Deps } from '../deps.ts';
import type { Caller } from '../model/audit.ts';
import type { CallerChannel } from '../model/channel.ts';

/** Where a read's data comes from: libvirt now, or the inventory view. */
export type DataSource = 'fresh' | 'cached';

/**
 * How the caller wants a read served (inventory reads only): `source` when it said so; `maxAgeMs`
 * from Cache-Control max-age: a cached answer at most that old will do. Neither: fresh, falling
 * back to the view when libvirt is unreachable or slower than the read timeout.
 */
export interface ReadPolicy {
  source?: DataSource;
  maxAgeMs?: number;
}

/** Where a read's answer came from, and how old it is (epoch ms). */
export interface DataOrigin {
  source: DataSource;
  /** When libvirt was read: now for a fresh answer, the snapshot's time for a cached one. */
  takenAt: number;
  /** When the data last changed: a cached answer's events may be newer than its snapshot. */
  modifiedAt: number;
}

/** What a handler gets besides its input. */
export interface ActionContext {
  deps: Deps;
  requestId: string;
  /** The audit record of this invocation, when it is audited. */
  auditId: number | null;
  /** The caller's read policy (reads only). */
  read?: ReadPolicy;
  /** Who asked (null: no valid token; such calls are refused before they run). */
  caller: Caller | null;
  /** Aborts when the operation is canceled or outlives the action time limit (never, for reads). */
  signal: AbortSignal;
  /** Reports the operation's progress (ignored outside operations). */
  progress(progress: Record<string, unknown>): void;
  /** Every action by name (the operation actions tell mutations from reads with it). */
  registry: ReadonlyMap<string, Action>;
  /** The caller's two-way channel (a WebSocket), for session actions asked for over one. */
  channel?: CallerChannel;
}

/** A handler's answer: the data to render and what the audit record keeps of it. */
export interface ActionOutput<T = unknown> {
  data: T;
  /** The resulting state and other facts for the audit record (mutations). */
  audit?: Record<string, unknown>;
  /** Where a read's data came from (inventory reads). */
  origin?: DataOrigin;
}

/** One action. `domainOf` names the domain to lock and audit (mutations). */
export interface Action<I = any, T = unknown> {
  name: string;
  kind: 'read' | 'mutation';
  role: Role;
  summary: string;
  input: v.GenericSchema<unknown, I>;
  domainOf?: (input: I) => string | null;
  /** Whether a running invocation can be canceled (it watches ctx.signal and undoes or stops). */
  cancelable?: boolean;
  /**
   * A session on its domain (the console) rather than a change to it: it runs as long as its
   * caller stays, so it neither holds the domain's lock nor has the action time limit.
   */
  session?: boolean;
  /** The audit log keeps the whole `xml` input beside the record (define, create), within its cap. */
  keepsXml?: boolean;
  run(input: I, ctx: ActionContext): Promise<ActionOutput<T>>;
}

/** Defines an action with its input type inferred from the schema. */
export function defineAction<I, T>(action: Action<I, T>): Action<I, T> {
  return action;
}
