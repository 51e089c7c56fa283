/** REST inventory reads: dispatched with the request's read policy, answered with where the data came from. */
import type { Context } from 'hono';
import type { Dispatched } from '../actions/dispatch.ts';
import type { DomainView } from '../model/domain-view.ts';
import type { ActionOutput } from '../actions/types.ts';
import type { AppEnv } from './context.ts';
import { invoke } from './invoke.ts';
import { toJson } from '../model/json.ts';
import { originFields, readPolicy, setOriginHeaders } from './read-policy.ts';
import { jsonText } from './respond.ts';

/** Dispatches a read under the request's policy (`?source=`, Cache-Control) and sets the origin headers. */
export async function invokeRead(c: Context<AppEnv>, action: string, input: Record<string, unknown>): Promise<Dispatched> {
  const { policy, rejection } = readPolicy(c);
  const done = await invoke(c, 'rest', { action, family: 'read', input, rejection, read: policy });
  setOriginHeaders(c, done.output.origin, c.get('deps').clock.now());
  return done;
}

/**
 * The body `render()` builds plus `source` and `takenAt`. A cached list of domains is rendered once
 * per version of the inventory view (`key` names the rendering).
 */
export function sourcedJson(c: Context<AppEnv>, output: ActionOutput, render: () => Record<string, unknown>, key?: string): Response {
  const text = () => toJson({ ...render(), ...originFields(output.origin) });
  if (key === undefined || output.origin?.source !== 'cached') return jsonText(c, text());
  return jsonText(c, c.get('deps').inventory.view.rendered(output.data as readonly DomainView[], key, text));
}
