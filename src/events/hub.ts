/**
 * Fans libvirt domain events out to in-process listeners from one subscription per event ID, and
 * lets an action wait for a domain's event (shutdown waits for "stopped" this way, not by polling).
 */
import type { DomainEvent, Libvirt } from '../libvirt/index.ts';

type Listener = (e: DomainEvent) => void;

/** One subscription to libvirt, many listeners. */
export class DomainEventHub {
  private readonly listeners = new Set<Listener>();

  constructor(private readonly libvirt: Libvirt) {}

  /** Subscribes to lifecycle, reboot and guest agent events; the client re-registers them after reconnects. */
  async start(): Promise<void> {
    const deliver = (e: DomainEvent) => this.emit(e);
    await this.libvirt.onLifecycle(deliver);
    await this.libvirt.onReboot(deliver);
    await this.libvirt.onAgentLifecycle(deliver);
  }

  /** Adds a listener; returns the function that removes it. */
  listen(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Resolves with the first event for the domain (by UUID) that `match` accepts, or null after
   * timeoutMs. Register before acting, so an event that comes at once is not missed.
   */
  waitFor(uuid: Uint8Array, match: (e: DomainEvent) => boolean, timeoutMs: number): { result: Promise<DomainEvent | null>; cancel: () => void } {
    let cancel = () => {};
    const result = new Promise<DomainEvent | null>((resolve) => {
      const timer = setTimeout(() => { off(); resolve(null); }, timeoutMs);
      const off = this.listen((e) => {
        if (Buffer.compare(Buffer.from(e.domain.uuid), Buffer.from(uuid)) !== 0 || !match(e)) return;
        clearTimeout(timer);
        off();
        resolve(e);
      });
      cancel = () => { clearTimeout(timer); off(); resolve(null); };
    });
    return { result, cancel };
  }

  private emit(e: DomainEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(e);
      } catch {
        // One failing listener must not starve the others.
      }
    }
  }
}
