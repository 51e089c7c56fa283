/** One mutation at a time per domain: a second one is refused at once, never queued. */
export class DomainLocks {
  private readonly busy = new Map<string, string>();

  /** Takes the domain for `action`; returns false when another action holds it. */
  tryAcquire(domain: string, action: string): boolean {
    if (this.busy.has(domain)) return false;
    this.busy.set(domain, action);
    return true;
  }

  /** Releases the domain. */
  release(domain: string): void {
    this.busy.delete(domain);
  }

  /** The action holding the domain, if any. */
  holder(domain: string): string | undefined {
    return this.busy.get(domain);
  }
}
