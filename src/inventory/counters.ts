/**
 * A running guest's counters from its CONNECT_GET_ALL_DOMAIN_STATS record: CPU time, the balloon's
 * memory figures, and each disk's and NIC's byte and request counters (typed parameters named
 * cpu.time, balloon.*, block.N.*, net.N.*; libvirt's virConnectGetAllDomainStats documents them).
 * Fields a driver does not report are null (memory) or absent (devices); the test driver reports
 * almost none.
 */
import { typedParamsToRecord, type DomainStatsRecord } from '../libvirt/index.ts';
import type { DiskCounters, GuestCounters, MemoryCounters, NicCounters } from '../model/guest-counters.ts';

type Params = Record<string, unknown>;

const big = (v: unknown): bigint | null => (typeof v === 'bigint' ? v : typeof v === 'number' ? BigInt(v) : null);
const count = (p: Params, key: string): number => Math.min(Number(big(p[key]) ?? 0n), 256);

/** The counters of a running guest's record, or null for an inactive one or a record without CPU time. */
export function countersOf(record: DomainStatsRecord): GuestCounters | null {
  if (record.dom.id === -1) return null;
  const p = typedParamsToRecord(record.params) as Params;
  const cpuTimeNs = big(p['cpu.time']);
  if (cpuTimeNs === null) return null;
  return { cpuTimeNs, memory: memoryOf(p), disks: disksOf(p), nics: nicsOf(p) };
}

function memoryOf(p: Params): MemoryCounters {
  return {
    actualKiB: big(p['balloon.current']), unusedKiB: big(p['balloon.unused']), availableKiB: big(p['balloon.available']),
    usableKiB: big(p['balloon.usable']), rssKiB: big(p['balloon.rss']),
  };
}

function disksOf(p: Params): DiskCounters[] {
  const disks: DiskCounters[] = [];
  for (let i = 0; i < count(p, 'block.count'); i++) {
    const name = p[`block.${i}.name`];
    if (typeof name !== 'string') continue;
    const n = (k: string) => big(p[`block.${i}.${k}`]) ?? 0n;
    disks.push({ name, readBytes: n('rd.bytes'), writeBytes: n('wr.bytes'), readRequests: n('rd.reqs'), writeRequests: n('wr.reqs') });
  }
  return disks;
}

function nicsOf(p: Params): NicCounters[] {
  const nics: NicCounters[] = [];
  for (let i = 0; i < count(p, 'net.count'); i++) {
    const name = p[`net.${i}.name`];
    if (typeof name !== 'string') continue;
    const n = (k: string) => big(p[`net.${i}.${k}`]) ?? 0n;
    nics.push({ name, rxBytes: n('rx.bytes'), txBytes: n('tx.bytes'), rxPackets: n('rx.pkts'), txPackets: n('tx.pkts') });
  }
  return nics;
}
