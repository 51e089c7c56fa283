/**
 * The create form checked against the host: sans-I/O, given the facts create-from-form gathered.
 * Every problem names its field; "conflict" marks those that are about something already taken.
 */
import type { DhcpLease, NodeInfo } from '../libvirt/index.ts';
import { addressProblem, type NetworkFacts } from './network.ts';
import type { VolumeFacts } from './volume.ts';

/** The form as create-from-form uses it (MAC already chosen when none was given). */
export interface GuestForm {
  name: string;
  image: string;
  cpucount: number;
  memorycount: number;
  mac: string;
  ip?: string | undefined;
  leasetime?: number | undefined;
}

/** What was found on the host for that form. */
export interface HostFacts {
  domainExists: boolean;
  pool: string;
  base: VolumeFacts | null;
  overlayName: string;
  overlayExists: boolean;
  node: NodeInfo;
  network: NetworkFacts;
  leases: DhcpLease[];
  /** The MAC address (lower case) of every NIC of every defined domain, running or not, to its domain's name. */
  domainMacs: ReadonlyMap<string, string>;
  /** Seconds since the epoch (lease expiry times are in seconds). */
  nowSeconds: number;
}

/** One problem with one field. */
export interface FormProblem { field: string; message: string; conflict: boolean }

const GIB_IN_KIB = 1024n * 1024n;

/** Every problem of the form on this host (empty when it can be created). */
export function checkForm(form: GuestForm, facts: HostFacts): FormProblem[] {
  return [...checkNames(form, facts), ...checkHostFit(form, facts.node), ...checkAddresses(form, facts)];
}

function checkNames(form: GuestForm, f: HostFacts): FormProblem[] {
  const out: FormProblem[] = [];
  if (f.domainExists) out.push({ field: 'hostname', message: `a domain named '${form.name}' already exists`, conflict: true });
  else if (f.overlayExists) out.push({ field: 'hostname', message: `volume '${f.overlayName}' already exists in pool '${f.pool}'`, conflict: true });
  if (!f.base) out.push({ field: 'image', message: `no volume '${form.image}' in storage pool '${f.pool}'`, conflict: false });
  return out;
}

/** vCPUs and memory against the host's node info. */
export function checkHostFit(form: Pick<GuestForm, 'cpucount' | 'memorycount'>, node: NodeInfo): FormProblem[] {
  const out: FormProblem[] = [];
  if (form.cpucount > node.cpus) {
    out.push({ field: 'cpucount', message: `must be at most ${node.cpus}: the host has ${node.cpus} CPUs`, conflict: false });
  }
  const hostGiB = Number(node.memoryKiB / GIB_IN_KIB);
  if (BigInt(form.memorycount) * GIB_IN_KIB > node.memoryKiB) {
    out.push({ field: 'memorycount', message: `must be at most ${hostGiB} GB: the host has ${(Number(node.memoryKiB) / 1024 / 1024).toFixed(1)} GiB`, conflict: false });
  }
  return out;
}

function liveLeases(f: HostFacts): DhcpLease[] {
  return f.leases.filter((l) => l.expiryTime <= 0n || l.expiryTime > BigInt(f.nowSeconds));
}

function checkAddresses(form: GuestForm, f: HostFacts): FormProblem[] {
  const out: FormProblem[] = [];
  const net = f.network.ipv4;
  const mac = form.mac.toLowerCase();
  const leases = liveLeases(f);
  const macHost = net?.hosts.find((h) => h.mac === mac);
  const macOwner = f.domainMacs.get(mac);
  if (macOwner !== undefined) out.push({ field: 'mac', message: `is already the address of a NIC of domain '${macOwner}'`, conflict: true });
  else if (macHost) out.push({ field: 'mac', message: `is already given a fixed address on network '${f.network.name}' (${macHost.name ?? macHost.ip ?? 'host entry'})`, conflict: true });
  else if (leases.some((l) => l.mac?.toLowerCase() === mac)) out.push({ field: 'mac', message: `holds a DHCP lease on network '${f.network.name}'`, conflict: true });
  if (form.ip === undefined) return out;
  if (!net || !net.dhcp) return [...out, { field: 'ip', message: `network '${f.network.name}' has no IPv4 DHCP service to give a fixed address`, conflict: false }];
  const problem = addressProblem(form.ip, net);
  if (problem) return [...out, { field: 'ip', message: problem, conflict: false }];
  const ipHost = net.hosts.find((h) => h.ip === form.ip);
  if (ipHost) out.push({ field: 'ip', message: `is already given to ${ipHost.mac ?? ipHost.name ?? 'another host'} on network '${f.network.name}'`, conflict: true });
  else if (leases.some((l) => l.ipaddr === form.ip)) out.push({ field: 'ip', message: `is leased to another machine on network '${f.network.name}'`, conflict: true });
  return out;
}
