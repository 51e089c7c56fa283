/**
 * Create without XML: a copy-on-write qcow2 overlay on a base image in the configured pool, an
 * optional static DHCP entry on the configured network, then define and start — all or nothing.
 */
import { randomBytes } from 'node:crypto';
import { AppError, withAuditResult } from '../errors.ts';
import {
  NetworkUpdateCommand, NetworkUpdateFlags, NetworkUpdateSection, found, isNotFound, type Libvirt, type NetworkRef, type StoragePoolRef,
} from '../libvirt/index.ts';
import { domainNics, parseCapabilities, preferredVirtType, guestDomainXml, type HostCapabilities } from './domain-xml.ts';
import { checkForm, type FormProblem, type GuestForm, type HostFacts } from './form-checks.ts';
import { dhcpHostXml, parseNetworkXml } from './network.ts';
import { Steps, type StepsWatch } from './steps.ts';
import { overlayVolumeXml, parseVolumeXml, type VolumeFacts } from './volume.ts';

/** The form fields create-from-form takes (MAC optional: one is made when absent). */
export type FormInput = Omit<GuestForm, 'mac'> & { mac?: string | undefined };

/** What a created guest is, for the answer and the audit record. */
export interface CreatedGuest {
  domain: string;
  state: string;
  reason: string;
  mac: string;
  ip: string | null;
  disk: string;
  image: string;
}

interface Plan { form: GuestForm; facts: HostFacts; pool: StoragePoolRef; net: NetworkRef; netPersistent: boolean; caps: HostCapabilities }

/** What building a guest from the form needs: libvirt, where its disk and NIC go, and the time. */
export interface FormHost {
  libvirt: Libvirt;
  settings: { storagePool: string; network: string };
  clock: { now(): number };
}

/** Checks the form against the host and creates the guest; throws with every bad field named. */
export async function createFromForm(deps: FormHost, input: FormInput, watch: StepsWatch = {}): Promise<{ guest: CreatedGuest; audit: Record<string, unknown> }> {
  const plan = await gather(deps, { ...input, mac: (input.mac ?? randomMac()).toLowerCase() });
  const problems = checkForm(plan.form, plan.facts);
  if (problems.length > 0) throw formError(problems);
  const virtType = preferredVirtType(plan.caps);
  if (!virtType || !plan.caps.arch) throw new AppError('UNSUPPORTED', 'this host offers no hvm guest type (kvm or qemu) for its architecture');
  const steps = new Steps({ ...watch, total: plan.form.ip === undefined ? 3 : 4 });
  let xml = '';
  try {
    const disk = await makeOverlay(deps.libvirt, steps, plan);
    await addDhcpHost(deps.libvirt, steps, plan);
    xml = guestDomainXml({ name: plan.form.name, virtType, arch: plan.caps.arch, vcpus: plan.form.cpucount, memoryGiB: plan.form.memorycount, diskPath: disk, network: plan.facts.network.name, mac: plan.form.mac });
    const dom = await steps.run('domain defined', () => deps.libvirt.defineXml(xml), { what: 'domain undefined', run: (d) => deps.libvirt.undefine(d) });
    await steps.run('domain started', () => deps.libvirt.start(dom));
    const s = await deps.libvirt.domainState(dom);
    const guest = { domain: plan.form.name, state: s.stateText, reason: s.reasonText, mac: plan.form.mac, ip: plan.form.ip ?? null, disk, image: plan.form.image };
    return { guest, audit: { ...guest, ...steps.record(), xml } };
  } catch (err) {
    await steps.rollback();
    throw withAuditResult(err, { ...steps.record(), xml: xml || null, mac: plan.form.mac });
  }
}

async function makeOverlay(lv: Libvirt, steps: Steps, plan: Plan): Promise<string> {
  const base = plan.facts.base as VolumeFacts;
  const name = plan.facts.overlayName;
  const vol = await steps.run(`overlay volume '${name}' created on '${base.path}'`,
    () => lv.createStorageVol(plan.pool, overlayVolumeXml(name, base)),
    { what: `overlay volume '${name}' deleted`, run: (v) => lv.deleteStorageVol(v) });
  return lv.storageVolPath(vol);
}

async function addDhcpHost(lv: Libvirt, steps: Steps, plan: Plan): Promise<void> {
  const { ip, mac, name, leasetime } = plan.form;
  if (ip === undefined) return;
  const flags = NetworkUpdateFlags.LIVE | (plan.netPersistent ? NetworkUpdateFlags.CONFIG : 0);
  const add = dhcpHostXml({ mac, name, ip, leaseSeconds: leasetime });
  const remove = dhcpHostXml({ mac, name, ip });
  const where = `network '${plan.facts.network.name}'`;
  await steps.run(`DHCP host ${mac} → ${ip} added to ${where}`,
    () => lv.networkUpdate(plan.net, NetworkUpdateCommand.ADD_LAST, NetworkUpdateSection.IP_DHCP_HOST, add, flags),
    { what: `DHCP host ${mac} → ${ip} removed from ${where}`, run: () => lv.networkUpdate(plan.net, NetworkUpdateCommand.DELETE, NetworkUpdateSection.IP_DHCP_HOST, remove, flags) });
}

/** Reads, in one round of pipelined calls, everything the checks need. */
async function gather(deps: FormHost, form: GuestForm): Promise<Plan> {
  const lv = deps.libvirt;
  const { storagePool, network } = deps.settings;
  const [pool, net] = await Promise.all([
    orNotFound(lv.lookupStoragePool(storagePool), `storage pool '${storagePool}' (setting --storage-pool) does not exist on this host`, 'image'),
    orNotFound(lv.lookupNetwork(network), `network '${network}' (setting --network) does not exist on this host`, 'mac'),
  ]);
  const overlayName = `${form.name}.qcow2`;
  const [domainExists, base, overlayExists, node, netXml, leases, netActive, netPersistent, capsXml, domainMacs] = await Promise.all([
    found(lv.lookupDomain(form.name)), baseVolume(lv, pool, form.image), found(lv.lookupStorageVol(pool, overlayName)),
    lv.nodeInfo(), lv.networkXml(net), lv.dhcpLeases(net), lv.networkIsActive(net), lv.networkIsPersistent(net), lv.capabilities(),
    macsOfDomains(lv),
  ]);
  if (!netActive) throw new AppError('CONFLICT', `network '${network}' is not active`);
  const facts: HostFacts = {
    domainExists, pool: storagePool, base, overlayName, overlayExists, node, network: parseNetworkXml(netXml), leases, domainMacs,
    nowSeconds: Math.floor(deps.clock.now() / 1000),
  };
  return { form, facts, pool, net, netPersistent, caps: parseCapabilities(capsXml) };
}

/**
 * The MACs of every defined domain's NICs (from each one's XML, fetched in one pipelined round): a
 * stopped guest holds no lease, but its NIC would clash with ours once both run.
 */
async function macsOfDomains(lv: Libvirt): Promise<Map<string, string>> {
  const domains = await lv.listDomains();
  const xmls = await Promise.all(domains.map((d) => lv.domainXml(d).catch((err: unknown) => {
    if (isNotFound(err)) return ''; // undefined since it was listed
    throw err;
  })));
  const macs = new Map<string, string>();
  xmls.forEach((xml, i) => {
    for (const nic of domainNics(xml)) macs.set(nic.mac, domains[i]!.name);
  });
  return macs;
}

async function baseVolume(lv: Libvirt, pool: StoragePoolRef, image: string): Promise<VolumeFacts | null> {
  try {
    return parseVolumeXml(await lv.storageVolXml(await lv.lookupStorageVol(pool, image)));
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
}

async function orNotFound<T>(lookup: Promise<T>, message: string, field: string): Promise<T> {
  try {
    return await lookup;
  } catch (err) {
    if (isNotFound(err)) throw new AppError('NOT_FOUND', message, { fields: [{ field, message }] });
    throw err;
  }
}

function formError(problems: FormProblem[]): AppError {
  const fields = problems.map(({ field, message }) => ({ field, message }));
  const code = problems.every((p) => p.conflict) ? 'ALREADY_EXISTS' : 'VALIDATION_FAILED';
  return new AppError(code, problems.map((p) => `${p.field}: ${p.message}`).join('; '), { fields });
}

/** A random locally administered MAC in QEMU's 52:54:00 range. */
export function randomMac(): string {
  return ['52', '54', '00', ...[...randomBytes(3)].map((b) => b.toString(16).padStart(2, '0'))].join(':');
}
