/**
 * Gauges read at scrape time: domains by state (one STATE-only listing from libvirt per scrape, the
 * cheapest full listing there is) and the host's load, memory, swap and uptime (from /proc, through
 * the agent's cached sysinfo reader). A failed or slow read leaves its gauge empty for that scrape.
 */
import { Gauge, type Registry } from 'prom-client';
import type { HostSysinfo } from '../host/sysinfo.ts';
import { domainStateText, type DomainSummary } from '../libvirt/index.ts';

/** Where the scrape-time gauges read from. */
export interface ScrapeSources {
  /** Every domain with its state (Libvirt.listDomainStates). */
  domainStates(): Promise<DomainSummary[]>;
  /** The host's sysinfo. */
  sysinfo(): Promise<HostSysinfo>;
}

const ALL_STATES = Array.from({ length: 8 }, (_, i) => domainStateText(i));
const KIB = 1024;
/** A scrape never waits longer than this for libvirt or /proc (Prometheus' own default timeout is 10 s). */
export const SCRAPE_READ_TIMEOUT_MS = 2_000;

/** The value, or null when it fails or takes longer than SCRAPE_READ_TIMEOUT_MS. */
function within<T>(read: () => Promise<T>): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<null>((resolve) => { timer = setTimeout(() => resolve(null), SCRAPE_READ_TIMEOUT_MS); });
  return Promise.race([read().catch(() => null), expired]).finally(() => clearTimeout(timer));
}

/** Registers the domain and host gauges on `registry`. */
export function registerScrapeGauges(registry: Registry, sources: ScrapeSources): void {
  const registers = [registry];
  new Gauge({
    name: 'govirthost_domains', help: 'Domains by state (virsh names), listed from libvirt at scrape time', labelNames: ['state'], registers,
    async collect() {
      this.reset();
      const domains = await within(() => sources.domainStates());
      if (!domains) return;
      for (const s of ALL_STATES) this.set({ state: s }, 0);
      for (const d of domains) this.inc({ state: d.stateText });
    },
  });
  hostGauge(registers, sources, 'govirthost_host_load', 'Host load average (/proc/loadavg), by period', 'period', (si) => ({ '1m': si.Loads[0], '5m': si.Loads[1], '15m': si.Loads[2] }));
  hostGauge(registers, sources, 'govirthost_host_memory_bytes', 'Host memory (/proc/meminfo): total, free, shared, buffer', 'kind', (si) => ({
    total: si.TotalRam * KIB, free: si.FreeRam * KIB, shared: si.SharedRam * KIB, buffer: si.BufferRam * KIB,
  }));
  hostGauge(registers, sources, 'govirthost_host_swap_bytes', 'Host swap (/proc/meminfo): total, free', 'kind', (si) => ({ total: si.TotalSwap * KIB, free: si.FreeSwap * KIB }));
  hostGauge(registers, sources, 'govirthost_host_uptime_seconds', 'Seconds since the host booted', null, (si) => ({ '': Number(si.Uptime / 1_000_000_000n) }));
}

// Each gauge asks sysinfo() itself (prom-client collects in parallel); the agent's reader is cached
// for a second, so one scrape reads /proc once.
function hostGauge(registers: Registry[], sources: ScrapeSources, name: string, help: string, label: string | null, values: (si: HostSysinfo) => Record<string, number>): void {
  new Gauge({
    name, help, labelNames: label ? [label] : [], registers,
    async collect() {
      this.reset();
      const si = await within(() => sources.sysinfo());
      if (!si) return;
      for (const [key, value] of Object.entries(values(si))) {
        if (label) this.set({ [label]: key }, value);
        else this.set(value);
      }
    },
  });
}
