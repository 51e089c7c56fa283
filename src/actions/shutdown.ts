/**
 * Asks the guest to shut down; optionally waits for it to stop (by lifecycle event, up to the
 * action time limit) and, with `force`, destroys it when the wait runs out. While it waits it is a
 * cancelable operation reporting the seconds waited and left; a cancel stops the wait and leaves
 * the guest as it is. The answer says which happened.
 */
import * as v from 'valibot';
import type { DomainEvent } from '../libvirt/index.ts';
import { AppError, withAuditResult } from '../errors.ts';
import { unlessAborted } from '../operations/abort.ts';
import type { Deps } from '../deps.ts';
import type { DomainRef } from '../libvirt/index.ts';
import { findDomain, stateAfter } from './domain.ts';
import { DomainName } from './schemas.ts';
import { defineAction, type ActionContext } from './types.ts';

const Input = v.strictObject({
  domain: DomainName,
  wait: v.optional(v.pipe(v.number('must be a number of seconds'), v.integer('must be whole seconds'), v.minValue(0, 'must be at least 0'), v.maxValue(86_400, 'must be at most 86400'))),
  force: v.optional(v.boolean('must be true or false')),
});

const isStopped = (e: DomainEvent) => e.kind === 'lifecycle' && e.eventName === 'stopped';

/** How a shutdown ended. */
export type ShutdownOutcome = 'requested' | 'stopped' | 'forced' | 'still-running';

export default defineAction({
  name: 'shutdown',
  kind: 'mutation',
  role: 'operator',
  cancelable: true,
  summary: 'Ask the guest to shut down; with wait, wait for it to stop (up to the action time limit; cancelable); with force, destroy it if it does not',
  input: Input,
  domainOf: (input) => input.domain,
  async run(input, ctx) {
    const { deps } = ctx;
    const waitMs = (input.wait ?? 0) * 1000;
    const limitMs = deps.operations.maxActionMs;
    if (waitMs >= limitMs) {
      const limit = Math.ceil(limitMs / 1000);
      throw new AppError('VALIDATION_FAILED', `wait: must be shorter than the action time limit (${limit} s)`, { fields: [{ field: 'wait', message: `must be less than ${limit}` }] });
    }
    const dom = await findDomain(deps, input.domain);
    const waiter = waitMs > 0 ? deps.events.waitFor(dom.uuid, isStopped, waitMs) : null;
    let outcome: ShutdownOutcome = 'requested';
    try {
      await deps.libvirt.shutdown(dom);
      if (waiter) outcome = (await waitReporting(ctx, waiter.result, waitMs)) ? 'stopped' : 'still-running';
    } catch (err) {
      if (ctx.signal.aborted) throw withAuditResult(err, { ...(await stateAfter(deps, dom)), shutdown: 'canceled', forced: false });
      throw err;
    } finally {
      waiter?.cancel();
    }
    if (outcome === 'still-running' && input.force) outcome = await force(deps, dom);
    const after = await stateAfter(deps, dom);
    const facts = { ...after, shutdown: outcome };
    return { data: { action: 'shutdown', domain: input.domain, ...facts }, audit: facts };
  },
});

/** Waits for `stopped`, reporting progress each second; rejects with the cancel's reason if canceled. */
async function waitReporting(ctx: ActionContext, stopped: Promise<DomainEvent | null>, waitMs: number): Promise<boolean> {
  const began = Date.now();
  const report = () => {
    const waited = Math.min(waitMs, Date.now() - began);
    ctx.progress({ waitedSeconds: Math.round(waited / 1000), remainingSeconds: Math.round((waitMs - waited) / 1000), percent: Math.round((waited / waitMs) * 100) });
  };
  report();
  const ticker = setInterval(report, 1000);
  try {
    return (await unlessAborted(ctx.signal, stopped)) !== null;
  } finally {
    clearInterval(ticker);
  }
}

async function force(deps: Deps, dom: DomainRef): Promise<ShutdownOutcome> {
  await deps.libvirt.destroy(dom);
  return 'forced';
}
