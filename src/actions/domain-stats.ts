/**
 * A guest's performance history from the inventory snapshots: CPU use (100 = one vCPU busy), memory
 * used, disk read/write bytes per second and IOPS, network rx/tx bytes per second, in steps over a
 * window (default: the last hour). Steps without data are null (gaps), never zeros.
 */
import * as v from 'valibot';
import { AppError } from '../errors.ts';
import { guestRates } from '../inventory/rates.ts';
import { PositiveInt, Time } from './query-schemas.ts';
import { DomainName } from './schemas.ts';
import { defineAction } from './types.ts';

/** The most points one answer holds. */
export const MAX_STATS_POINTS = 1000;
const HOUR_MS = 3_600_000;
const WEEK_MS = 7 * 24 * HOUR_MS;
/** The longest window one answer covers (each snapshot in it is read). */
const MAX_WINDOW_MS = 31 * 24 * HOUR_MS;

const Input = v.pipe(
  v.strictObject({ domain: DomainName, since: v.optional(Time), until: v.optional(Time), step: v.optional(PositiveInt(WEEK_MS / 1000)) }),
  v.forward(v.check((q) => q.since === undefined || q.until === undefined || q.since < q.until, 'must be before until'), ['since']),
);

export default defineAction({
  name: 'domain-stats',
  kind: 'read',
  role: 'viewer',
  summary: "A guest's CPU, memory, disk and network rates over time, from the inventory snapshots",
  input: Input,
  async run(q, { deps }) {
    const until = q.until ?? deps.clock.now();
    const since = q.since ?? until - HOUR_MS;
    const stepMs = (q.step ?? Math.max(30, Math.ceil((until - since) / 1000 / 300))) * 1000;
    if (until - since > MAX_WINDOW_MS) {
      throw new AppError('VALIDATION_FAILED', 'since: the window is at most 31 days', { fields: [{ field: 'since', message: 'must be at most 31 days before until' }] });
    }
    if ((until - since) / stepMs > MAX_STATS_POINTS) {
      throw new AppError('VALIDATION_FAILED', `step: ${stepMs / 1000} s over this window makes more than ${MAX_STATS_POINTS} points`, { fields: [{ field: 'step', message: `must make at most ${MAX_STATS_POINTS} points` }] });
    }
    // One step before the window too: its first interval needs the snapshot before it.
    const points = deps.inventory.snapshots.guestSamples(q.domain, since - stepMs, until);
    if (points === null) throw new AppError('NOT_FOUND', `no snapshot ever saw a domain named '${q.domain}'`, { fields: [{ field: 'domain', message: 'no such domain in the snapshots' }] });
    const rates = guestRates(points, since, until, stepMs);
    return {
      data: {
        domain: q.domain, since: new Date(since).toISOString(), until: new Date(until).toISOString(), stepSeconds: stepMs / 1000,
        points: rates.map((r) => ({ ...r, at: new Date(r.at).toISOString() })),
      },
    };
  },
});
