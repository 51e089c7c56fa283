/**
 * Waits for a guest's first IPv4 address without polling blindly: a wait re-reads the addresses
 * when something that brings one happens: the DHCP leases change (libvirt's dnsmasq lease helper
 * rewrites <lease dir>/<bridge>.status on every lease, watched with fs.watch), the guest agent
 * connects, or the domain starts, resumes or arrives by migration. Where the lease directory cannot
 * be watched (libvirt on another machine), re-reads back off from 250 ms to 2 s instead; and every
 * 5 s regardless, for what no event announces (an ARP entry, an agent's new address). Concurrent
 * waits on one domain share each read.
 */
import fs from 'node:fs';
import type { DomainEvent, DomainRef, Libvirt } from '../libvirt/index.ts';
import { ipv4Of, type GuestAddresses } from '../model/addresses.ts';
import { readAddresses } from './addresses.ts';

/** What the watch needs. */
export interface AddressWatchOptions {
  libvirt: Libvirt;
  events: { listen(listener: (e: DomainEvent) => void): () => void };
  now(): number;
  /** libvirt's dnsmasq lease directory (null or missing: back off instead). */
  leaseDir: string | null;
}

/** How a wait ended. */
export interface AddressWait {
  addresses: GuestAddresses;
  waitedMs: number;
  /** The time ran out before an IPv4 address was known. */
  timedOut: boolean;
}

const WAKING_EVENTS = new Set(['started', 'resumed']);
const SAFETY_MS = 5_000;
/** How long after a lease file event the waits re-read (the helper's write settles), and again. */
const SETTLE_MS = 50;
const LATE_WAKE_MS = 400;

/** One per agent: the lease watcher, the event listener and the waits. */
export class AddressWatch {
  readonly #o: AddressWatchOptions;
  readonly #waiters = new Map<string, Set<() => void>>();
  readonly #reads = new Map<string, Promise<GuestAddresses>>();
  #watcher: fs.FSWatcher | null = null;
  #off: (() => void) | null = null;
  #leaseWake: NodeJS.Timeout | undefined;
  /** Counts the wakes, so that one during a read is noticed after it. */
  #wakes = 0;

  constructor(o: AddressWatchOptions) {
    this.#o = o;
  }

  /** Whether lease changes wake the waits (else they back off); tries to start watching first. */
  get watchingLeases(): boolean {
    this.#watchLeases();
    return this.#watcher !== null;
  }

  /** Starts watching the events, and the lease directory if it exists (else at the next wait). */
  start(): void {
    this.#off = this.#o.events.listen((e) => this.#onEvent(e));
    this.#watchLeases();
  }

  // libvirt makes the directory when it first starts a network, which may be after the agent starts,
  // and it may go with the network: every wait tries again while there is no watcher.
  #watchLeases(): void {
    if (this.#o.leaseDir === null || this.#watcher !== null || this.#off === null) return;
    try {
      const watcher = fs.watch(this.#o.leaseDir, () => this.#leasesChanged());
      watcher.on('error', () => { watcher.close(); if (this.#watcher === watcher) this.#watcher = null; });
      this.#watcher = watcher;
    } catch {
      this.#watcher = null; // not there, or not ours to read: back off instead
    }
  }

  /** Stops watching; waits under way end at their next wake. */
  stop(): void {
    this.#off?.();
    this.#off = null;
    this.#watcher?.close();
    this.#watcher = null;
    this.#wakeAll();
  }

  /** The domain's addresses now (shared with concurrent reads of the same domain). */
  read(dom: DomainRef): Promise<GuestAddresses> {
    const key = keyOf(dom);
    let read = this.#reads.get(key);
    if (!read) {
      read = readAddresses(this.#o.libvirt, dom, this.#o.now()).finally(() => this.#reads.delete(key));
      this.#reads.set(key, read);
    }
    return read;
  }

  /** The addresses once an IPv4 one is known, or what is known when `timeoutMs` runs out. */
  async waitForIpv4(dom: DomainRef, timeoutMs: number): Promise<AddressWait> {
    const started = this.#o.now();
    this.#watchLeases();
    let seen = this.#wakes;
    let addresses = await this.read(dom);
    for (let backoff = 250; ipv4Of(addresses).length === 0; backoff = Math.min(backoff * 2, 2_000)) {
      const left = timeoutMs - (this.#o.now() - started);
      if (left <= 0) return { addresses, waitedMs: this.#o.now() - started, timedOut: true };
      this.#watchLeases();
      // A wake that came while it was reading is not lost: it reads again at once.
      if (this.#wakes === seen) await this.#nextWake(dom, Math.min(left, this.#watcher ? SAFETY_MS : backoff));
      seen = this.#wakes;
      addresses = await this.read(dom);
    }
    return { addresses, waitedMs: this.#o.now() - started, timedOut: false };
  }

  #nextWake(dom: DomainRef, ms: number): Promise<void> {
    const key = keyOf(dom);
    return new Promise((resolve) => {
      const waiters = this.#waiters.get(key) ?? new Set<() => void>();
      this.#waiters.set(key, waiters);
      const wake = () => {
        clearTimeout(timer);
        waiters.delete(wake);
        if (waiters.size === 0) this.#waiters.delete(key);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      waiters.add(wake);
    });
  }

  #onEvent(e: DomainEvent): void {
    const wakes = (e.kind === 'agent' && e.connected) || (e.kind === 'lifecycle' && (WAKING_EVENTS.has(e.eventName) || e.detailName === 'migrated'));
    if (!wakes) return;
    this.#wakes++;
    for (const wake of [...(this.#waiters.get(keyOf(e.domain)) ?? [])]) wake();
  }

  // The lease helper may still be writing when the first event comes (and libvirt reads that very
  // file): wake the waits a moment after a burst of events, and once more a little later.
  #leasesChanged(): void {
    if (this.#leaseWake) return;
    this.#leaseWake = setTimeout(() => {
      this.#leaseWake = undefined;
      this.#wakeAll();
      setTimeout(() => this.#wakeAll(), LATE_WAKE_MS).unref();
    }, SETTLE_MS);
    this.#leaseWake.unref();
  }

  #wakeAll(): void {
    this.#wakes++;
    for (const waiters of [...this.#waiters.values()]) for (const wake of [...waiters]) wake();
  }
}

const keyOf = (dom: DomainRef) => Buffer.from(dom.uuid).toString('hex');
