/**
 * What a lifecycle event means for the view of its domain: the state and reason it enters (as
 * libvirt's QEMU driver sets them alongside the event), removal, or nothing. Pure: no I/O.
 *
 * Two sequences need care (seen on libvirt 9.0 with QEMU): a start emits RESUMED/unpaused and then
 * STARTED/booted, so a RESUMED for a domain the view has shut off is the first half of a start and
 * is left to STARTED; a destroy emits SHUTDOWN/host and then STOPPED/destroyed, and SHUTDOWN itself
 * ("the guest finished shutting down") changes nothing until STOPPED follows.
 */
import type { DomainView } from '../model/domain-view.ts';
import { DomainState, type LifecycleEvent } from '../libvirt/index.ts';

/** The effect of one event on the view. */
export type EventEffect =
  | { kind: 'set'; state: number; reason: number; id: number; persistent?: boolean }
  | { kind: 'remove'; reason: string }
  | { kind: 'none' };

const { RUNNING, PAUSED, SHUTOFF, CRASHED, PMSUSPENDED } = DomainState;

// Detail name → reason code of the state the event leads to (virDomain*Reason).
const STARTED_REASON: Record<string, number> = { booted: 1, migrated: 2, restored: 3, 'from-snapshot': 4, wakeup: 8 };
const RESUMED_REASON: Record<string, number> = { unpaused: 5, migrated: 2, 'from-snapshot': 4, postcopy: 10, 'postcopy-failed': 11 };
const SUSPENDED_REASON: Record<string, number> = {
  paused: 1, migrated: 2, ioerror: 5, watchdog: 6, 'from-snapshot': 7, 'api-error': 14, postcopy: 12, 'postcopy-failed': 13,
};
const STOPPED_REASON: Record<string, number> = {
  shutdown: 1, destroyed: 2, crashed: 3, migrated: 4, saved: 5, failed: 6, 'from-snapshot': 7,
};

const NONE: EventEffect = { kind: 'none' };

/**
 * The effect of `e` on a domain the view currently shows as `current` (undefined: not in the view).
 * Only DEFINED and STARTED add a domain; other events for an unknown one wait for the next snapshot.
 */
export function eventEffect(e: LifecycleEvent, current: DomainView | undefined): EventEffect {
  const id = e.domain.id;
  switch (e.eventName) {
    case 'defined':
      return current ? { kind: 'set', state: current.state, reason: current.reason, id: current.domain.id, persistent: true }
        : { kind: 'set', state: SHUTOFF, reason: 0, id: -1, persistent: true };
    case 'undefined':
      if (e.detailName === 'renamed') return NONE; // DEFINED/renamed follows with the new name
      if (!current || current.state === SHUTOFF) return { kind: 'remove', reason: e.detailName };
      return { kind: 'set', state: current.state, reason: current.reason, id: current.domain.id, persistent: false };
    case 'started':
      return { kind: 'set', state: RUNNING, reason: STARTED_REASON[e.detailName] ?? 0, id, ...(!current && { persistent: false }) };
    case 'resumed':
      if (!current || current.state === SHUTOFF) return NONE;
      return { kind: 'set', state: RUNNING, reason: RESUMED_REASON[e.detailName] ?? 0, id };
    case 'suspended':
      return current ? { kind: 'set', state: PAUSED, reason: SUSPENDED_REASON[e.detailName] ?? 0, id } : NONE;
    case 'stopped':
      if (!current) return NONE;
      if (current.persistent === false) return { kind: 'remove', reason: e.detailName }; // a transient domain is gone
      return { kind: 'set', state: SHUTOFF, reason: STOPPED_REASON[e.detailName] ?? 0, id: -1 };
    case 'pmsuspended':
      return current ? { kind: 'set', state: PMSUSPENDED, reason: 0, id } : NONE;
    case 'crashed':
      return current && e.detailName === 'panicked' ? { kind: 'set', state: CRASHED, reason: 1, id } : NONE;
    default:
      return NONE; // shutdown, and event types this agent does not know
  }
}
