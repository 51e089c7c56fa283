/**
 * Hands the view's state changes to listeners with the right cause. libvirt sends a lifecycle
 * event and the replies to other calls independently, so a snapshot can see a change before its
 * event arrives: a change a snapshot finds is held for a grace period, and reported as the event's
 * when one confirms it, or as the snapshot's once the grace period is over. Pure: the caller says
 * what time it is.
 */
import { Listeners } from '../events/listeners.ts';
import type { ChangeCause, StateChange } from '../model/inventory.ts';

/** How long a change a snapshot found waits for the event that explains it. */
export const EVENT_GRACE_MS = 2_000;

/** Reports state changes, holding the ones snapshots find until an event confirms them or time is up. */
export class ChangeReporter {
  readonly #listeners = new Listeners<StateChange>();
  /** Changes snapshots found, by domain UUID, not yet reported. */
  readonly #held = new Map<string, StateChange>();

  constructor(private readonly graceMs = EVENT_GRACE_MS) {}

  /** Calls `listener` with every change; returns the function that removes it. */
  listen(listener: (change: StateChange) => void): () => void {
    return this.#listeners.add(listener);
  }

  /** A snapshot found `change` (of the domain `key`): held for the grace period. */
  fromSnapshot(key: string, change: StateChange): void {
    const earlier = this.#held.get(key);
    const merged = earlier ? { ...change, from: earlier.from } : change;
    if (merged.from === merged.to) this.#held.delete(key);
    else this.#held.set(key, merged);
  }

  /**
   * An event was applied to the domain `key`, leaving it in `state`; `change` is what it changed
   * (null: the view already had that state, perhaps from a snapshot that saw it first).
   */
  fromEvent(key: string, state: string, change: StateChange | null, at: number, cause: ChangeCause, reason: string): void {
    const held = this.#held.get(key);
    if (held) {
      this.#held.delete(key);
      if (held.to === state) {
        this.#listeners.emit({ ...held, at, cause, reason });
        return;
      }
      this.#listeners.emit(held);
    }
    if (change) this.#listeners.emit(change);
  }

  /** Reports, as the snapshot's, the held changes found at or before `now` minus the grace period. */
  settle(now: number): void {
    for (const [key, held] of this.#held) {
      if (held.at > now - this.graceMs) continue;
      this.#held.delete(key);
      this.#listeners.emit(held);
    }
  }
}
