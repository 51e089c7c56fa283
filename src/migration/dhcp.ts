/**
 * A migrated guest keeps its fixed address: the static DHCP entries of its NICs (create-from-form
 * adds them) move from the source's networks to the destination's networks of the same names.
 * This runs after the migration succeeded, so it never fails it: each entry says whether it moved,
 * or why not, in the answer and the audit record. The entry is added on the destination first and
 * only then removed from the source.
 */
import type { MigrationHost } from './host.ts';
import { addressProblem, dhcpHostElements, parseNetworkXml } from '../guest/network.ts';
import { domainNics } from '../guest/domain-xml.ts';
import { NetworkUpdateCommand, NetworkUpdateFlags, NetworkUpdateSection, isNotFound, type Libvirt, type NetworkRef } from '../libvirt/index.ts';
import { reachDestination } from './destination.ts';

/** A NIC on a libvirt network. */
export interface NetworkNic { network: string; mac: string }

/** One static DHCP entry of the guest, and whether it moved to the destination. */
export interface DhcpMove { network: string; mac: string; ip: string | null; moved: boolean; reason?: string }

interface Entry { nic: NetworkNic; net: NetworkRef; element: string; ip: string | null }

/** The NICs of a domain's XML that are on libvirt networks (`<interface type='network'>`). */
export function networkNics(domainXml: string): NetworkNic[] {
  return domainNics(domainXml).flatMap(({ network, mac }) => (network ? [{ network, mac }] : []));
}

/** Moves the static DHCP entries of `nics` from this host's networks to the destination's. */
export async function moveDhcpEntries(deps: MigrationHost, nics: NetworkNic[], destinationUri: string): Promise<DhcpMove[]> {
  const entries = (await Promise.all(nics.map((nic) => entryOf(deps.libvirt, nic)))).flatMap((e) => (e ? [e] : []));
  if (entries.length === 0) return [];
  const reach = await reachDestination(destinationUri, deps.settings.migrateCheckTimeoutMs);
  if (!reach.reachable) return entries.map((e) => notMoved(e, `the destination was not reached: ${reach.reason}`));
  try {
    const moves: DhcpMove[] = [];
    for (const e of entries) moves.push(await moveOne(deps.libvirt, reach.dest.lv, reach.dest.hostname, e));
    return moves;
  } finally {
    await reach.dest.close();
  }
}

async function entryOf(lv: Libvirt, nic: NetworkNic): Promise<Entry | null> {
  const net = await networkNamed(lv, nic.network);
  if (!net) return null;
  const xml = await lv.networkXml(net);
  const element = dhcpHostElements(xml).get(nic.mac);
  if (!element) return null;
  const ip = parseNetworkXml(xml).ipv4?.hosts.find((h) => h.mac === nic.mac)?.ip ?? null;
  return { nic, net, element, ip };
}

async function networkNamed(lv: Libvirt, name: string): Promise<NetworkRef | null> {
  return lv.lookupNetwork(name).catch((err: unknown) => {
    if (isNotFound(err)) return null;
    throw err;
  });
}

async function moveOne(source: Libvirt, dest: Libvirt, destName: string, e: Entry): Promise<DhcpMove> {
  try {
    const net = await networkNamed(dest, e.nic.network);
    if (!net) return notMoved(e, `${destName} has no network '${e.nic.network}'`);
    const ipv4 = parseNetworkXml(await dest.networkXml(net)).ipv4;
    if (!ipv4?.dhcp) return notMoved(e, `network '${e.nic.network}' on ${destName} has no IPv4 DHCP service`);
    const problem = e.ip === null ? null : addressProblem(e.ip, ipv4);
    if (problem) return notMoved(e, `${e.ip} ${problem} on ${destName}`);
    const same = ipv4.hosts.find((h) => h.mac === e.nic.mac && h.ip === e.ip);
    const clash = ipv4.hosts.find((h) => h !== same && (h.mac === e.nic.mac || (e.ip !== null && h.ip === e.ip)));
    if (clash) return notMoved(e, `network '${e.nic.network}' on ${destName} already gives ${clash.ip ?? clash.mac} to another entry`);
    if (!same) await dest.networkUpdate(net, NetworkUpdateCommand.ADD_LAST, NetworkUpdateSection.IP_DHCP_HOST, e.element, await updateFlags(dest, net));
  } catch (err) {
    return notMoved(e, `adding it on ${destName} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    await source.networkUpdate(e.net, NetworkUpdateCommand.DELETE, NetworkUpdateSection.IP_DHCP_HOST, e.element, await updateFlags(source, e.net));
    return { network: e.nic.network, mac: e.nic.mac, ip: e.ip, moved: true };
  } catch (err) {
    return { network: e.nic.network, mac: e.nic.mac, ip: e.ip, moved: true, reason: `also left on the source: ${err instanceof Error ? err.message : String(err)}` };
  }
}

async function updateFlags(lv: Libvirt, net: NetworkRef): Promise<number> {
  return NetworkUpdateFlags.LIVE | ((await lv.networkIsPersistent(net)) ? NetworkUpdateFlags.CONFIG : 0);
}

function notMoved(e: Entry, reason: string): DhcpMove {
  return { network: e.nic.network, mac: e.nic.mac, ip: e.ip, moved: false, reason };
}
