/**
 * A guest's addresses, merged per NIC from the DHCP leases, the guest agent and ARP, each naming
 * its sources; `wait` (seconds) waits until an IPv4 address is known (see guest/address-watch.ts).
 */
import * as v from 'valibot';
import type { Deps } from '../deps.ts';
import { readAddresses } from '../guest/addresses.ts';
import type { DomainRef } from '../libvirt/index.ts';
import { findDomain } from './domain.ts';
import { DomainName } from './schemas.ts';
import { defineAction } from './types.ts';

/** The longest `wait` a caller may ask for, in seconds. */
export const MAX_ADDRESS_WAIT_SECONDS = 120;

const Wait = v.pipe(
  v.string(), v.regex(/^\d{1,3}$/, `must be a whole number of seconds from 0 to ${MAX_ADDRESS_WAIT_SECONDS}`), v.transform(Number),
  v.maxValue(MAX_ADDRESS_WAIT_SECONDS, `must be at most ${MAX_ADDRESS_WAIT_SECONDS} seconds`),
);

/** The addresses of `dom`, waiting up to `waitSeconds` for an IPv4 one (never for an inactive domain). */
export async function addressesOf(deps: Deps, dom: DomainRef, waitSeconds: number) {
  if (waitSeconds > 0 && dom.id !== -1 && deps.addresses) return deps.addresses.waitForIpv4(dom, waitSeconds * 1000);
  const addresses = await (deps.addresses ? deps.addresses.read(dom) : readAddresses(deps.libvirt, dom, deps.clock.now()));
  return { addresses, waitedMs: 0, timedOut: false };
}

export default defineAction({
  name: 'domain-addresses',
  kind: 'read',
  role: 'viewer',
  summary: "A guest's addresses per NIC from the leases, the guest agent and ARP; wait=SECONDS waits for an IPv4 one",
  input: v.strictObject({ domain: DomainName, wait: v.optional(Wait, '0') }),
  async run(input, { deps }) {
    const dom = await findDomain(deps, input.domain);
    const { addresses, waitedMs, timedOut } = await addressesOf(deps, dom, input.wait);
    const { readAt, nics, sources } = addresses;
    return { data: { domain: input.domain, readAt: new Date(readAt).toISOString(), nics, sources, waitedMs, ...(input.wait > 0 && { timedOut }) } };
  },
});
