/**
 * The record of every answered request: its metrics (by route pattern, never the raw path) and
 * its log line.
 */
import type { Context } from 'hono';
import { routePath } from 'hono/route';
import type { AppEnv } from './context.ts';

/** Route label for requests that matched no route (so unknown paths cannot mint new series). */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * Records an answered request: counts and times it by its route pattern (never the raw path) and
 * status, and writes its log line (who, what, the action and domain it ran, how it ended, how long).
 * A rate-limited refusal (429) logs at debug only: a flood is counted in /metrics, not written line
 * by line into the journal.
 */
export function recordRequest(c: Context<AppEnv>, started: number): void {
  const seconds = (performance.now() - started) / 1000;
  const { ops, log } = c.get('deps');
  ops?.metrics?.observeRequest(routeLabel(c), c.req.method, c.res.status, seconds);
  const level = c.res.status === 429 ? 'debug' : 'info';
  if (!log.isLevelEnabled(level)) return; // the line's object is not built when it would be dropped
  log[level]({
    requestId: c.get('requestId'), method: c.req.method.slice(0, 16), path: boundedPath(c.req.path), status: c.res.status,
    durationMs: Math.round(seconds * 100_000) / 100, actor: c.get('caller')?.name ?? null,
    ...c.get('invoked'),
  }, 'request');
}

function routeLabel(c: Context<AppEnv>): string {
  const route = routePath(c);
  return route === '' || route.endsWith('*') ? UNMATCHED_ROUTE : route;
}

/** The most characters of a path a log line keeps: a caller's path is never logged whole. */
export const LOGGED_PATH_CHARS = 256;

function boundedPath(path: string): string {
  return path.length <= LOGGED_PATH_CHARS ? path : `${path.slice(0, LOGGED_PATH_CHARS)}… (${path.length} characters)`;
}
