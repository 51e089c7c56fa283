/**
 * The in-memory view of the host that cached reads are served from: the newest snapshot's host
 * figures and domains, with each lifecycle event applied to its domain at once. No I/O: snapshots
 * and events are handed in, state changes are handed out to listeners.
 */
import type { DomainView } from '../model/domain-view.ts';
import { domainReasonText, domainStateText, type LifecycleEvent } from '../libvirt/index.ts';
import { ChangeReporter } from './changes.ts';
import { eventEffect, type EventEffect } from './event-state.ts';
import { UNDEFINED_STATE, type ChangeCause, type HostFigures, type InventorySnapshot, type StateChange } from '../model/inventory.ts';

/** One domain in the view: its figures, when they were last refreshed, and by which event if any. */
export interface ViewEntry {
  view: DomainView;
  /** When a snapshot or an event last refreshed it (epoch ms). */
  updatedAt: number;
  /** When an event last changed it; null when the newest snapshot has it as it is. */
  eventAt: number | null;
}

const hex = (uuid: Uint8Array) => Buffer.from(uuid).toString('hex');

/** The host as the agent last saw it. */
export class InventoryView {
  readonly #entries = new Map<string, ViewEntry>();
  /** Domains removed by an event, by UUID, with when: a snapshot older than that must not bring them back. */
  readonly #removed = new Map<string, number>();
  readonly #changes: ChangeReporter;
  #host: HostFigures | null = null;
  #takenAt: number | null = null;
  #modifiedAt: number | null = null;
  #list: readonly DomainView[] | null = null;
  #byName: Map<string, ViewEntry> | null = null;
  readonly #rendered = new Map<string, Buffer<ArrayBuffer>>();

  /** `graceMs`: how long a change a snapshot found waits for its event (see ChangeReporter). */
  constructor(graceMs?: number) {
    this.#changes = new ChangeReporter(graceMs);
  }

  /** When the snapshot the view is based on was taken; null before the first one. */
  get takenAt(): number | null {
    return this.#takenAt;
  }

  /** When the view last changed (a snapshot or an event); null before the first snapshot. */
  get modifiedAt(): number | null {
    return this.#modifiedAt;
  }

  /** The host figures of the newest snapshot, or null. */
  get host(): HostFigures | null {
    return this.#host;
  }

  /** Every domain, in snapshot order; the same array until the view changes. */
  list(): readonly DomainView[] {
    this.#list ??= Object.freeze([...this.#entries.values()].map((e) => e.view));
    return this.#list;
  }

  /** One domain by name, with its refresh times. */
  get(name: string): ViewEntry | undefined {
    this.#byName ??= new Map([...this.#entries.values()].map((e) => [e.view.domain.name, e]));
    return this.#byName.get(name);
  }

  /**
   * A body rendered from `list` once per version of the view, as UTF-8 bytes (so the server neither
   * measures nor encodes the text again per request): `render()` runs again only after the view
   * changed. A `list` that is not the current one is rendered without being kept.
   */
  rendered(list: readonly DomainView[], key: string, render: () => string): Buffer<ArrayBuffer> {
    if (list !== this.#list) return Buffer.from(render());
    let body = this.#rendered.get(key);
    if (body === undefined) {
      body = Buffer.from(render());
      this.#rendered.set(key, body);
    }
    return body;
  }

  /** Calls `listener` with every change of a domain's state; returns the function that removes it. */
  onStateChange(listener: (change: StateChange) => void): () => void {
    return this.#changes.listen(listener);
  }

  /** Reports the changes snapshots found that no event explained within the grace period, as of `now`. */
  settle(now: number): void {
    this.#changes.settle(now);
  }

  /** Loads a stored snapshot as the base (at start): no state changes are reported. */
  seed(snapshot: InventorySnapshot): void {
    this.#entries.clear();
    for (const view of snapshot.domains) this.#entries.set(hex(view.domain.uuid), { view, updatedAt: snapshot.takenAt, eventAt: null });
    this.#based(snapshot);
  }

  /**
   * Applies a fresh snapshot. A domain an event changed after the snapshot started keeps the
   * event's state (the snapshot may have read it before); its figures come from the snapshot.
   */
  applySnapshot(snapshot: InventorySnapshot): void {
    this.#changes.settle(snapshot.takenAt);
    const report = this.#takenAt !== null; // with no base there is nothing to compare with
    const seen = new Set<string>();
    for (const view of snapshot.domains) {
      const key = hex(view.domain.uuid);
      seen.add(key);
      if ((this.#removed.get(key) ?? -Infinity) >= snapshot.takenAt) continue;
      this.#applySnapshotDomain(key, view, snapshot.takenAt, report);
    }
    for (const [key, entry] of this.#entries) {
      if (seen.has(key) || (entry.eventAt ?? -Infinity) >= snapshot.takenAt) continue;
      this.#entries.delete(key);
      if (report) this.#foundBySnapshot(key, changeOf(entry.view, entry.view.stateText, UNDEFINED_STATE, 'unknown', snapshot.takenAt));
    }
    for (const [key, at] of this.#removed) if (at < snapshot.takenAt) this.#removed.delete(key);
    this.#reorder(seen);
    this.#based(snapshot);
  }

  /** Applies one lifecycle event at `at` (epoch ms). */
  applyEvent(e: LifecycleEvent, at: number): void {
    const key = hex(e.domain.uuid);
    const entry = this.#entries.get(key);
    const effect = eventEffect(e, entry?.view);
    if (effect.kind === 'none') return;
    const cause: ChangeCause = { type: 'event', event: `${e.eventName}/${e.detailName}` };
    if (effect.kind === 'remove') {
      this.#removed.set(key, at);
      if (entry) this.#entries.delete(key);
      const change = entry ? changeOf(entry.view, entry.view.stateText, UNDEFINED_STATE, effect.reason, at, cause) : null;
      this.#changes.fromEvent(key, UNDEFINED_STATE, change, at, cause, effect.reason);
    } else {
      const view = withEffect(entry?.view, e, effect);
      this.#entries.set(key, { view, updatedAt: at, eventAt: at });
      this.#removed.delete(key);
      const change = changeOf(view, entry?.view.stateText ?? UNDEFINED_STATE, view.stateText, view.reasonText, at, cause);
      this.#changes.fromEvent(key, view.stateText, change, at, cause, view.reasonText);
    }
    this.#touch(at);
  }

  /**
   * Puts the domains in the snapshot's order (libvirt lists them in the order of its own hash
   * table, stable while the set of domains is), and those only events know of after them.
   */
  #reorder(order: Set<string>): void {
    const entries = new Map(this.#entries);
    this.#entries.clear();
    for (const key of order) {
      const entry = entries.get(key);
      if (entry) this.#entries.set(key, entry);
    }
    for (const [key, entry] of entries) if (!order.has(key)) this.#entries.set(key, entry);
  }

  #applySnapshotDomain(key: string, view: DomainView, takenAt: number, report: boolean): void {
    const entry = this.#entries.get(key);
    if (entry && (entry.eventAt ?? -Infinity) >= takenAt) {
      this.#entries.set(key, { ...entry, view: { ...view, ...eventOwned(entry.view) } });
      return;
    }
    this.#entries.set(key, { view, updatedAt: takenAt, eventAt: null });
    if (report) this.#foundBySnapshot(key, changeOf(view, entry?.view.stateText ?? UNDEFINED_STATE, view.stateText, view.reasonText, takenAt));
  }

  #foundBySnapshot(key: string, change: StateChange | null): void {
    if (change) this.#changes.fromSnapshot(key, change);
  }

  #based(snapshot: InventorySnapshot): void {
    this.#host = snapshot.host;
    this.#takenAt = snapshot.takenAt;
    this.#touch(snapshot.takenAt);
  }

  #touch(at: number): void {
    this.#modifiedAt = Math.max(this.#modifiedAt ?? at, at);
    this.#list = null;
    this.#byName = null;
    this.#rendered.clear();
  }
}

/** The change of `view`'s domain from `from` to `to`, or null when they are equal. */
function changeOf(view: DomainView, from: string, to: string, reason: string, at: number, cause: ChangeCause = { type: 'snapshot' }): StateChange | null {
  if (from === to) return null;
  return { domain: view.domain.name, uuid: Buffer.from(view.domain.uuid), at, from, to, reason, cause };
}

/** The fields an event sets, which a snapshot that started before the event must not overwrite. */
function eventOwned(v: DomainView): Partial<DomainView> {
  return {
    domain: v.domain, active: v.active, state: v.state, reason: v.reason, stateText: v.stateText, reasonText: v.reasonText,
    ...(v.persistent !== undefined && { persistent: v.persistent }),
  };
}

/** The view of a domain after a 'set' effect; a domain new to the view gets no figures yet. */
function withEffect(current: DomainView | undefined, e: LifecycleEvent, effect: Extract<EventEffect, { kind: 'set' }>): DomainView {
  const base: DomainView = current ?? {
    domain: e.domain, active: false, state: 0, reason: 0, stateText: '', reasonText: '',
    vcpus: null, memoryKiB: null, maxMemoryKiB: null, cpuTimeNs: null, persistent: false, autostart: false,
  };
  return {
    ...base,
    domain: { name: e.domain.name, uuid: Buffer.from(e.domain.uuid), id: effect.id },
    active: effect.id !== -1,
    state: effect.state,
    reason: effect.reason,
    stateText: domainStateText(effect.state),
    reasonText: domainReasonText(effect.state, effect.reason),
    ...(effect.persistent !== undefined && { persistent: effect.persistent }),
  };
}
