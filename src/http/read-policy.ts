/**
 * Fresh or cached, on the wire: the caller's choice from `source` (seed GET body or query string)
 * or Cache-Control (`no-cache` = fresh, `max-age=N` = a snapshot at most N s old will do), and the
 * headers that say what was served: X-Data-Source, Age, Last-Modified.
 */
import type { Context } from 'hono';
import type { DataOrigin, DataSource, ReadPolicy } from '../actions/types.ts';
import { AppError } from '../errors.ts';
import type { AppEnv } from './context.ts';
import { setReplyHeader } from './respond.ts';

const SOURCES: readonly string[] = ['fresh', 'cached'] satisfies DataSource[];
const MAX_AGE = /^max-age\s*=\s*"?(\d{1,9})"?$/;

/** The read policy of a request; an unknown `source` comes back as the rejection. */
export function readPolicy(c: Context<AppEnv>, bodySource?: string): { policy: ReadPolicy; rejection?: AppError } {
  const source = bodySource ?? c.req.query('source');
  if (source !== undefined && source !== '') {
    if (!SOURCES.includes(source)) return { policy: {}, rejection: badSource(`must be ${SOURCES.join(' or ')}`) };
    return { policy: { source: source as DataSource } };
  }
  return { policy: fromCacheControl(c.req.header('cache-control')) };
}

/** A caller asked for a cached answer where there is none (domain XML is not kept in snapshots). */
export function notCached(policy: ReadPolicy, what: string): AppError | undefined {
  return policy.source === 'cached' ? badSource(`${what} is always read fresh: snapshots do not keep it`) : undefined;
}

/** Cache-Control request directives: no-cache / no-store → fresh; max-age=N → N s old will do. */
export function fromCacheControl(header: string | undefined): ReadPolicy {
  if (!header) return {};
  const directives = header.toLowerCase().split(',').map((d) => d.trim());
  if (directives.includes('no-cache') || directives.includes('no-store')) return { source: 'fresh' };
  for (const d of directives) {
    const m = MAX_AGE.exec(d);
    if (m) return { maxAgeMs: Number(m[1]) * 1000 };
  }
  return {};
}

/**
 * Sets X-Data-Source, Age (whole seconds since libvirt was read) and Last-Modified. A read with no
 * origin (one that is always fresh, like domain XML) is fresh as of `now`.
 */
export function setOriginHeaders(c: Context<AppEnv>, given: DataOrigin | undefined, now: number): void {
  const origin = given ?? { source: 'fresh', takenAt: now, modifiedAt: now };
  setReplyHeader(c, 'x-data-source', origin.source);
  setReplyHeader(c, 'age', String(Math.max(0, Math.floor((now - origin.takenAt) / 1000))));
  setReplyHeader(c, 'last-modified', new Date(origin.modifiedAt).toUTCString());
}

/** The `source` and `takenAt` fields REST read bodies carry. */
export function originFields(origin: DataOrigin | undefined): { source?: DataSource; takenAt?: string } {
  return origin ? { source: origin.source, takenAt: new Date(origin.takenAt).toISOString() } : {};
}

function badSource(message: string): AppError {
  return new AppError('VALIDATION_FAILED', `source: ${message}`, { fields: [{ field: 'source', message }] });
}
