/**
 * Links state changes to the audited action that caused them: a change libvirt reported for a
 * domain while an audited mutation ran on it is that action's doing, and so is one shortly after
 * it answered that ends in the state the action reported (its events may trail the reply). A
 * change while a mutation holds the domain's lock is left for that mutation, which links it when
 * it ends.
 */
import type { FinishedAudit } from '../model/audit.ts';
import type { DomainLocks } from '../model/locks.ts';
import type { StateChange } from '../model/inventory.ts';
import type { SqliteStateChangeStore } from '../store/state-changes.ts';

/** How long after an action ends its domain's events are still put down to it. */
export const CAUSE_GRACE_MS = 2_000;
const MAX_REMEMBERED = 256; // domains; past that, expired ones are forgotten

/** Remembers recent audited mutations per domain, and links their changes. */
export class CauseTracker {
  readonly #recent = new Map<string, { auditId: number; until: number; state: unknown }>();

  constructor(private readonly changes: SqliteStateChangeStore, private readonly locks: DomainLocks, private readonly graceMs = CAUSE_GRACE_MS) {}

  /** Links the changes already recorded while the action ran; remembers it for the ones to come. */
  auditFinished({ record, family }: FinishedAudit): void {
    if (family !== 'mutation' || record.domain === null || record.outcome === 'rejected' || record.finishedAt === null) return;
    this.changes.linkAudit(record.id, record.domain, record.receivedAt, record.finishedAt);
    this.#recent.set(record.domain, { auditId: record.id, until: record.finishedAt + this.graceMs, state: record.result?.state });
    if (this.#recent.size > MAX_REMEMBERED) this.#forgetBefore(record.finishedAt);
  }

  #forgetBefore(at: number): void {
    for (const [domain, recent] of this.#recent) if (recent.until < at) this.#recent.delete(domain);
  }

  /** The audited action a change just reported is put down to, or null. */
  auditFor(change: StateChange): number | null {
    const recent = this.#recent.get(change.domain);
    if (!recent || change.cause.type !== 'event' || this.locks.holder(change.domain) !== undefined) return null;
    if (change.at > recent.until) {
      this.#recent.delete(change.domain);
      return null;
    }
    return recent.state === change.to ? recent.auditId : null;
  }
}
