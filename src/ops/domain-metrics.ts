/**
 * Per-domain metrics, named as the libvirt exporters name them, read at scrape time from the
 * inventory view (the newest snapshot with each event applied): a scrape makes no libvirt call.
 * Counters come from the guests' own cumulative counters (CPU time, disk and NIC bytes and
 * requests), so rate() works across scrapes and a guest restart reads as a counter reset.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import { uuidToString } from '../libvirt/index.ts';
import type { DomainView } from '../model/domain-view.ts';
import type { DiskCounters, MemoryCounters, NicCounters } from '../model/guest-counters.ts';

type Views = () => readonly DomainView[];
const KIB = 1024;

/** Registers every per-domain metric on `registry`, read from `views` at each scrape. */
export function registerDomainMetrics(registry: Registry, views: Views): void {
  const registers = [registry];
  new Gauge({
    name: 'govirthost_domain_info', help: 'Always 1: each domain the host has, with its UUID and state (virsh names)', labelNames: ['domain', 'uuid', 'state'], registers,
    collect() {
      this.reset();
      for (const d of views()) this.set({ domain: d.domain.name, uuid: uuidToString(d.domain.uuid), state: d.stateText }, 1);
    },
  });
  perDomain(registers, views, 'govirthost_domain_vcpus', 'vCPUs of each domain', (d) => d.vcpus);
  perDomainCounter(registers, views, 'govirthost_domain_cpu_seconds_total', 'CPU time each running domain has used, in seconds',
    (d) => (d.active && d.cpuTimeNs !== null ? Number(d.cpuTimeNs) / 1e9 : null));
  perDomain(registers, views, 'govirthost_domain_memory_actual_bytes', 'Memory each running domain has now (the balloon\'s current size)',
    (d) => (d.active ? kib(d.counters?.memory.actualKiB ?? d.memoryKiB) : null));
  perDomain(registers, views, 'govirthost_domain_memory_maximum_bytes', 'Memory each domain may have at most', (d) => kib(d.maxMemoryKiB));
  const memory: Array<[keyof MemoryCounters, string, string]> = [
    ['unusedKiB', 'unused', 'Memory the guest reports unused (its balloon driver)'],
    ['availableKiB', 'available', 'Memory the guest reports available to it (its balloon driver)'],
    ['usableKiB', 'usable', 'Memory the guest could use without swapping (its balloon driver)'],
    ['rssKiB', 'rss', 'Resident memory of the guest\'s QEMU process on the host'],
  ];
  for (const [key, name, help] of memory) perDomain(registers, views, `govirthost_domain_memory_${name}_bytes`, help, (d) => (d.active ? kib(d.counters?.memory[key] ?? null) : null));
  const disks: Array<[keyof DiskCounters, string, string]> = [
    ['readBytes', 'read_bytes_total', 'Bytes each disk read'], ['writeBytes', 'write_bytes_total', 'Bytes each disk wrote'],
    ['readRequests', 'read_requests_total', 'Read requests of each disk'], ['writeRequests', 'write_requests_total', 'Write requests of each disk'],
  ];
  for (const [key, name, help] of disks) perDevice(registers, views, `govirthost_domain_block_${name}`, help, (d) => d.counters?.disks ?? [], (c) => c[key] as bigint);
  const nics: Array<[keyof NicCounters, string, string]> = [
    ['rxBytes', 'receive_bytes_total', 'Bytes each NIC received'], ['txBytes', 'transmit_bytes_total', 'Bytes each NIC sent'],
    ['rxPackets', 'receive_packets_total', 'Packets each NIC received'], ['txPackets', 'transmit_packets_total', 'Packets each NIC sent'],
  ];
  for (const [key, name, help] of nics) perDevice(registers, views, `govirthost_domain_interface_${name}`, help, (d) => d.counters?.nics ?? [], (c) => c[key] as bigint);
}

function perDomain(registers: Registry[], views: Views, name: string, help: string, value: (d: DomainView) => number | null): void {
  new Gauge({
    name, help, labelNames: ['domain'], registers,
    collect() {
      this.reset();
      for (const d of views()) {
        const v = value(d);
        if (v !== null) this.set({ domain: d.domain.name }, v);
      }
    },
  });
}

function perDomainCounter(registers: Registry[], views: Views, name: string, help: string, value: (d: DomainView) => number | null): void {
  new Counter({
    name, help, labelNames: ['domain'], registers,
    collect() {
      this.reset();
      for (const d of views()) {
        const v = value(d);
        if (v !== null) this.inc({ domain: d.domain.name }, v);
      }
    },
  });
}

function perDevice<C extends { name: string }>(registers: Registry[], views: Views, name: string, help: string, devices: (d: DomainView) => C[], value: (c: C) => bigint): void {
  new Counter({
    name, help, labelNames: ['domain', 'device'], registers,
    collect() {
      this.reset();
      // A guest an event stopped keeps its snapshot's counters in the view until the next snapshot.
      for (const d of views()) if (d.active) for (const c of devices(d)) this.inc({ domain: d.domain.name, device: c.name }, Number(value(c)));
    },
  });
}

function kib(value: bigint | null | undefined): number | null {
  return value === null || value === undefined ? null : Number(value) * KIB;
}
