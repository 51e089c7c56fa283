/**
 * A fingerprint of guests on a private host, to show that nothing changed them: each guest's
 * state, reason, domain id (a restart changes it), persistence, autostart and the SHA-256 of its
 * inactive definition, plus the names of every domain on the host (nothing added or removed).
 */
import { createHash } from 'node:crypto';
import type { Libvirt } from '../../src/libvirt/index.ts';
import { tinyGuestXml } from './guest.ts';

/** virDomainXMLFlags INACTIVE: the persistent definition, not the running one. */
const XML_INACTIVE = 2;

/** What is compared of one guest. */
export interface GuestPrint {
  name: string;
  state: string;
  reason: string;
  id: number;
  persistent: boolean;
  autostart: boolean;
  definitionSha256: string;
}

/** The fingerprint of the named guests. */
export async function guestPrints(lv: Libvirt, names: readonly string[]): Promise<GuestPrint[]> {
  return Promise.all(names.map(async (name) => {
    const dom = await lv.lookupDomain(name);
    const [s, persistent, autostart, xml] = await Promise.all([lv.domainState(dom), lv.isPersistent(dom), lv.getAutostart(dom), lv.domainXml(dom, XML_INACTIVE)]);
    return { name, state: s.stateText, reason: s.reasonText, id: dom.id, persistent, autostart, definitionSha256: createHash('sha256').update(xml).digest('hex') };
  }));
}

/** The names of every domain on the host, sorted. */
export async function domainNames(lv: Libvirt): Promise<string[]> {
  return (await lv.listDomains()).map((d) => d.name).sort();
}

/** Defines three tiny guests with these names: one left running, one shut off, one paused. */
export async function defineStatefulGuests(lv: Libvirt, names: { running: string; off: string; paused: string }): Promise<void> {
  for (const name of Object.values(names)) await lv.defineXml(tinyGuestXml(name));
  await lv.start(await lv.lookupDomain(names.running));
  const paused = await lv.start(await lv.lookupDomain(names.paused));
  await lv.suspend(paused);
}
