/** A guest's addresses, merged per NIC from every source libvirt has, each address naming its sources. */

/** Where an address was seen: the DHCP lease of a libvirt network, the guest agent, the host's ARP table. */
export type AddressSource = 'lease' | 'agent' | 'arp';

/** Every source, in the order they are shown. */
export const ADDRESS_SOURCES: readonly AddressSource[] = ['lease', 'agent', 'arp'];

/** One address of a NIC. */
export interface GuestAddress {
  family: 'ipv4' | 'ipv6';
  address: string;
  prefix: number;
  sources: AddressSource[];
}

/** One NIC: its MAC, the libvirt network it joins (from the domain XML), its name inside the guest (from the agent). */
export interface GuestNic {
  mac: string | null;
  network: string | null;
  guestName: string | null;
  addresses: GuestAddress[];
}

/** What each source said: ok, or why it had nothing (the agent not running, ARP not supported...). */
export type SourceOutcome = { ok: true } | { ok: false; error: string };

/** A guest's addresses at one moment. */
export interface GuestAddresses {
  /** When they were read (epoch ms). */
  readAt: number;
  nics: GuestNic[];
  sources: Partial<Record<AddressSource, SourceOutcome>>;
}

/** The guest's IPv4 addresses, in NIC order. */
export function ipv4Of(a: GuestAddresses | null | undefined): string[] {
  return (a?.nics ?? []).flatMap((n) => n.addresses.filter((x) => x.family === 'ipv4').map((x) => x.address));
}
