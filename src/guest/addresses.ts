/**
 * Reads a guest's addresses from every source libvirt has (DOMAIN_INTERFACE_ADDRESSES with lease,
 * agent and arp, in parallel) and merges them per NIC by MAC, with the NICs of its XML (so a NIC
 * with no address yet still shows, with its network). The loopback the agent reports is dropped; a
 * source that fails (no agent in the guest, ARP unsupported) is named with its error, never thrown.
 */
import { InterfaceAddressSource, type DomainInterface, type DomainRef, type Libvirt } from '../libvirt/index.ts';
import type { AddressSource, GuestAddresses, GuestNic, SourceOutcome } from '../model/addresses.ts';
import { domainNics } from './domain-xml.ts';

const SOURCE_CODES: Record<AddressSource, number> = { lease: InterfaceAddressSource.LEASE, agent: InterfaceAddressSource.AGENT, arp: InterfaceAddressSource.ARP };

/** One source's interfaces, or its error. */
type SourceResult = { source: AddressSource; ifaces: DomainInterface[]; outcome: SourceOutcome };

/**
 * Reads the addresses of `dom` (none for an inactive one: only its NICs) from every source. With
 * `withXml` false (the snapshots: one call fewer per guest), NICs no source reports are left out
 * and none names its network.
 */
export async function readAddresses(lv: Libvirt, dom: DomainRef, now: number, withXml = true): Promise<GuestAddresses> {
  const sources: readonly AddressSource[] = ['lease', 'agent', 'arp'];
  const xml = withXml ? lv.domainXml(dom).catch(() => '') : Promise.resolve('');
  if (dom.id === -1) return { readAt: now, nics: mergeNics(await xml, []), sources: {} };
  const results = await Promise.all(sources.map((source) => readSource(lv, dom, source)));
  return {
    readAt: now,
    nics: mergeNics(await xml, results),
    sources: Object.fromEntries(results.map((r) => [r.source, r.outcome])),
  };
}

async function readSource(lv: Libvirt, dom: DomainRef, source: AddressSource): Promise<SourceResult> {
  try {
    return { source, ifaces: await lv.interfaceAddresses(dom, SOURCE_CODES[source]), outcome: { ok: true } };
  } catch (err) {
    return { source, ifaces: [], outcome: { ok: false, error: (err instanceof Error ? err.message : String(err)).slice(0, 200) } };
  }
}

/** The NICs of the XML, then any other MAC a source reported, each with its merged addresses. */
export function mergeNics(domainXml: string, results: readonly SourceResult[]): GuestNic[] {
  const nics = new Map<string, GuestNic>();
  for (const n of domainNics(domainXml)) nics.set(n.mac, { mac: n.mac, network: n.network, guestName: null, addresses: [] });
  for (const { source, ifaces } of results) {
    for (const iface of ifaces) {
      const mac = iface.hwaddr?.toLowerCase() ?? null;
      if (mac === null || mac === '00:00:00:00:00:00' || iface.name === 'lo') continue;
      const nic = nics.get(mac) ?? { mac, network: null, guestName: null, addresses: [] };
      nics.set(mac, nic);
      if (source === 'agent') nic.guestName = iface.name;
      for (const a of iface.addrs) addAddress(nic, a.type === 0 ? 'ipv4' : 'ipv6', a.addr, a.prefix, source);
    }
  }
  return [...nics.values()];
}

function addAddress(nic: GuestNic, family: 'ipv4' | 'ipv6', address: string, prefix: number, source: AddressSource): void {
  const found = nic.addresses.find((x) => x.address === address);
  if (!found) nic.addresses.push({ family, address, prefix, sources: [source] });
  else if (!found.sources.includes(source)) found.sources.push(source);
}
