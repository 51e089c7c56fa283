/**
 * A libvirt network's IPv4 facts (address, prefix, DHCP ranges and static hosts) read from its XML,
 * the IPv4 arithmetic to check a requested address against them, and the DHCP host element.
 */
import { element, elements, escapeXml, type XmlElement } from './xml.ts';

/** A static DHCP host entry (`<host mac= name= ip=>`). */
export interface DhcpHost { mac: string | null; name: string | null; ip: string | null }

/** The IPv4 side of a network: its own address, prefix, DHCP ranges and static hosts. */
export interface NetworkIpv4 { address: string; prefix: number; ranges: Array<{ start: string; end: string }>; hosts: DhcpHost[]; dhcp: boolean }

/** What the create checks need to know about a network. */
export interface NetworkFacts { name: string; bridge: string | null; ipv4: NetworkIpv4 | null }

/** Dotted IPv4 text to a 32-bit unsigned number, or null when malformed. */
export function ipv4ToInt(ip: string): number | null {
  const parts = ip.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255)) return null;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

/** The prefix length of a dotted netmask (255.255.255.0 → 24), or null when it is not contiguous. */
export function netmaskToPrefix(mask: string): number | null {
  const n = ipv4ToInt(mask);
  if (n === null) return null;
  const bits = n.toString(2).padStart(32, '0');
  return /^1*0*$/.test(bits) ? bits.indexOf('0') === -1 ? 32 : bits.indexOf('0') : null;
}

/** The [network, broadcast] addresses of address/prefix as numbers. */
export function subnetBounds(address: string, prefix: number): [number, number] | null {
  const a = ipv4ToInt(address);
  if (a === null || prefix < 0 || prefix > 32) return null;
  const size = 2 ** (32 - prefix);
  const base = Math.floor(a / size) * size;
  return [base, base + size - 1];
}

/** Reads the first IPv4 `<ip>` of a network's XML with its DHCP ranges and hosts. */
export function parseNetworkXml(xml: string): NetworkFacts {
  const name = element(xml, 'name')?.inner.trim() ?? '';
  const bridge = element(xml, 'bridge')?.attrs.name ?? null;
  const ip = ipv4Element(xml);
  if (!ip) return { name, bridge, ipv4: null };
  const prefix = ip.attrs.prefix !== undefined ? Number(ip.attrs.prefix) : netmaskToPrefix(ip.attrs.netmask ?? '255.255.255.0');
  const dhcp = element(ip.inner, 'dhcp');
  return {
    name,
    bridge,
    ipv4: {
      address: ip.attrs.address ?? '',
      prefix: prefix ?? 24,
      dhcp: dhcp !== null,
      ranges: elements(dhcp?.inner ?? '', 'range').map((r) => ({ start: r.attrs.start ?? '', end: r.attrs.end ?? '' })),
      hosts: elements(dhcp?.inner ?? '', 'host').map((h) => ({ mac: h.attrs.mac?.toLowerCase() ?? null, name: h.attrs.name ?? null, ip: h.attrs.ip ?? null })),
    },
  };
}

/** The network's IPv4 `<ip>` element (the one with an address), or null. */
function ipv4Element(xml: string): XmlElement | null {
  return elements(xml, 'ip').find((e) => (e.attrs.family ?? 'ipv4') === 'ipv4' && e.attrs.address) ?? null;
}

/** Why `ip` cannot be a host address on this IPv4 network, or null when it can. */
export function addressProblem(ip: string, net: NetworkIpv4): string | null {
  const n = ipv4ToInt(ip);
  const bounds = subnetBounds(net.address, net.prefix);
  if (n === null || bounds === null) return 'must be an IPv4 address';
  const [first, last] = bounds;
  const cidr = `${intToIpv4(first)}/${net.prefix}`;
  if (n < first || n > last) return `is outside the network's subnet ${cidr}`;
  if (n === first || n === last) return `is the network or broadcast address of ${cidr}`;
  if (n === ipv4ToInt(net.address)) return 'is the network\'s own (gateway) address';
  return null;
}

/** A number back to dotted IPv4 text. */
export function intToIpv4(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

/** The static DHCP `<host>` elements of a network, as libvirt wrote them (lease and all), by lower-case MAC. */
export function dhcpHostElements(networkXml: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const h of elements(element(ipv4Element(networkXml)?.inner ?? '', 'dhcp')?.inner ?? '', 'host')) {
    const mac = h.attrs.mac?.toLowerCase();
    if (!mac) continue;
    const attrs = Object.entries(h.attrs).map(([k, v]) => `${k}='${escapeXml(v)}'`).join(' ');
    out.set(mac, h.inner.trim() === '' ? `<host ${attrs}/>` : `<host ${attrs}>${h.inner}</host>`);
  }
  return out;
}

/** The `<host>` element NETWORK_UPDATE adds to (or deletes from) the DHCP section. */
export function dhcpHostXml(host: { mac: string; name: string; ip: string; leaseSeconds?: number | undefined }): string {
  const attrs = `mac='${escapeXml(host.mac)}' name='${escapeXml(host.name)}' ip='${escapeXml(host.ip)}'`;
  if (host.leaseSeconds === undefined) return `<host ${attrs}/>`;
  return `<host ${attrs}><lease expiry='${host.leaseSeconds}' unit='seconds'/></host>`;
}
