/**
 * Fresh or cached: serves an inventory read from libvirt or from the in-memory view, as the
 * caller's ReadPolicy says. A cached answer never touches libvirt. With no policy the read is
 * fresh, and falls back to the view when libvirt is unreachable or slower than the read timeout.
 * A caller that asked for fresh (source=fresh, Cache-Control: no-cache) gets libvirt's answer or
 * its error, never a fallback.
 */
import type { ActionContext, ActionOutput, DataOrigin } from './types.ts';
import { AppError } from '../errors.ts';
import { LibvirtTimeoutError, LibvirtUnavailableError } from '../libvirt/index.ts';
import type { InventoryView } from '../inventory/view.ts';

/** A cached read's data, and when it last changed when that is narrower than the whole view. */
export interface CachedData<T> {
  data: T;
  modifiedAt?: number;
}

/** A fresh read did not answer within the read timeout. */
class ReadTimeoutError extends Error {
  override name = 'ReadTimeoutError';
}

/** Runs `fresh` or `cached` by the context's read policy; the output says which answered. */
export async function readInventory<T>(ctx: ActionContext, fresh: () => Promise<T>, cached: (view: InventoryView) => CachedData<T>): Promise<ActionOutput<T>> {
  const { deps, read = {} } = ctx;
  const view = deps.inventory.view;
  const started = deps.clock.now();
  if (read.source === 'cached' || (read.source === undefined && youngEnough(view, started, read.maxAgeMs))) return fromView(view, cached);
  if (read.source === 'fresh') return freshOutput(await fresh(), started);
  try {
    return freshOutput(await within(fresh(), deps.settings.readTimeoutMs), started);
  } catch (err) {
    if (!canFallBack(err) || view.takenAt === null) throw err;
    deps.log.warn({ requestId: ctx.requestId, reason: (err as Error).message }, 'fresh read failed; answering from the inventory view');
    const out = fromView(view, cached);
    return { ...out, audit: { ...out.audit, fallback: (err as Error).name } };
  }
}

function youngEnough(view: InventoryView, now: number, maxAgeMs: number | undefined): boolean {
  return maxAgeMs !== undefined && view.takenAt !== null && now - view.takenAt <= maxAgeMs;
}

function fromView<T>(view: InventoryView, cached: (view: InventoryView) => CachedData<T>): ActionOutput<T> {
  if (view.takenAt === null || view.modifiedAt === null) {
    throw new AppError('LIBVIRT_UNAVAILABLE', 'no inventory snapshot yet: libvirt has not answered since the agent started');
  }
  const { data, modifiedAt } = cached(view);
  const origin: DataOrigin = { source: 'cached', takenAt: view.takenAt, modifiedAt: modifiedAt ?? view.modifiedAt };
  return { data, origin, audit: { source: 'cached' } };
}

function freshOutput<T>(data: T, at: number): ActionOutput<T> {
  return { data, origin: { source: 'fresh', takenAt: at, modifiedAt: at }, audit: { source: 'fresh' } };
}

function canFallBack(err: unknown): boolean {
  if (err instanceof AppError) return err.code === 'LIBVIRT_UNAVAILABLE' || err.code === 'LIBVIRT_TIMEOUT';
  return err instanceof ReadTimeoutError || err instanceof LibvirtUnavailableError || err instanceof LibvirtTimeoutError;
}

/** `work`, or a ReadTimeoutError after `ms`; the work goes on, and its late result is dropped. */
function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ReadTimeoutError(`libvirt did not answer within the read timeout (${ms} ms)`)), ms);
  });
  work.catch(() => {}); // a late failure after the timeout must not be an unhandled rejection
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}
