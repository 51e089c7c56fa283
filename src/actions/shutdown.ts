/**
 * Asks the guest to shut down; optionally waits for it to stop (by lifecycle event) and, with
 * `force`, destroys it when the wait runs out. The answer says which happened.
 */
import * as v from 'valibot';
import type { DomainEvent } from '../libvirt/index.ts';
import { AppError } from '../errors.ts';
import { findDomain, stateAfter } from './domain.ts';
import { DomainName } from './schemas.ts';
import { defineAction } from './types.ts';

const Input = v.strictObject({
  domain: DomainName,
  wait: v.optional(v.pipe(v.number('must be a number of seconds'), v.integer('must be whole seconds'), v.minValue(0, 'must be at least 0'), v.maxValue(3600, 'must be at most 3600'))),
  force: v.optional(v.boolean('must be true or false')),
});

const isStopped = (e: DomainEvent) => e.kind === 'lifecycle' && e.eventName === 'stopped';

/** How a shutdown ended. */
export type ShutdownOutcome = 'requested' | 'stopped' | 'forced' | 'still-running';

export default defineAction({
  name: 'shutdown',
  kind: 'mutation',
  role: 'operator',
  summary: 'Ask the guest to shut down; with wait, wait for it to stop; with force, destroy it if it does not',
  input: Input,
  domainOf: (input) => input.domain,
  async run(input, { deps }) {
    const waitMs = (input.wait ?? 0) * 1000;
    if (waitMs >= deps.settings.requestTimeoutMs) {
      const limit = Math.ceil(deps.settings.requestTimeoutMs / 1000);
      throw new AppError('VALIDATION_FAILED', `wait: must be shorter than the request timeout (${limit} s)`, { fields: [{ field: 'wait', message: `must be less than ${limit}` }] });
    }
    const dom = await findDomain(deps, input.domain);
    const waiter = waitMs > 0 ? deps.events.waitFor(dom.uuid, isStopped, waitMs) : null;
    let outcome: ShutdownOutcome = 'requested';
    try {
      await deps.libvirt.shutdown(dom);
      if (waiter) outcome = (await waiter.result) ? 'stopped' : 'still-running';
    } finally {
      waiter?.cancel();
    }
    if (outcome === 'still-running' && input.force) {
      await deps.libvirt.destroy(dom);
      outcome = 'forced';
    }
    const after = await stateAfter(deps, dom);
    const facts = { ...after, shutdown: outcome };
    return { data: { action: 'shutdown', domain: input.domain, ...facts }, audit: facts };
  },
});
