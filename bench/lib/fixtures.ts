/** The benchmark's domains on host A: defined in steps up to N, a quarter of them running, all removed at the end. */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Libvirt } from '../../src/libvirt/index.ts';
import { StatsGroup } from '../../src/libvirt/constants.ts';
import type { DomainRef } from '../../src/libvirt/types.ts';
import { tinyGuestXml } from '../../test/support/guest.ts';

const SETTLE_MS = 3_000;

/** Domains this benchmark made, in creation order; the first ceil(N/4) are the running ones. */
export class BenchDomains {
  readonly prefix = `gvhbench-${process.pid}`;
  private readonly defined: DomainRef[] = [];
  private running = 0;

  constructor(private readonly lv: Libvirt, private readonly virtType: string) {}

  /** Names of every domain defined so far. */
  get names(): string[] {
    return this.defined.map((d) => d.name);
  }

  /** Defines domains until there are `n`, then starts them until ceil(n/4) run. */
  async grow(n: number): Promise<void> {
    while (this.defined.length < n) {
      const name = `${this.prefix}-${String(this.defined.length).padStart(3, '0')}`;
      this.defined.push(await this.lv.defineXml(tinyGuestXml(name, this.virtType)));
    }
    const want = Math.ceil(n / 4);
    const starting: Promise<DomainRef>[] = [];
    for (; this.running < want; this.running++) starting.push(this.lv.start(this.defined[this.running]!));
    const started = await Promise.all(starting);
    started.forEach((d, i) => { this.defined[this.running - started.length + i] = d; });
  }

  /**
   * Waits out the burst after starting guests (their boot keeps the daemon and both CPUs busy):
   * at least SETTLE_MS, then until a STATE-only stats call is back under 5 ms (or 20 s passed).
   */
  async settle(): Promise<void> {
    await sleep(SETTLE_MS);
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const t0 = performance.now();
      await this.lv.domainStats(StatsGroup.STATE);
      if (performance.now() - t0 < 5) return;
      await sleep(250);
    }
  }

  /** Destroys and undefines every domain whose name has our prefix (also ones left by a failure). */
  async removeAll(): Promise<number> {
    const mine = (await this.lv.listDomains()).filter((d) => d.name.startsWith(this.prefix));
    await Promise.all(mine.map(async (d) => {
      if (d.id !== -1) await this.lv.destroy(d).catch(() => undefined);
      await this.lv.undefine(d);
    }));
    this.defined.length = 0;
    this.running = 0;
    return mine.length;
  }
}
