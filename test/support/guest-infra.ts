/**
 * What create-from-form and disk migrations need on a private test host, made through the libvirt
 * API (never virsh): a directory storage pool `default` at /var/lib/libvirt/images, a persistent NAT
 * network `default` (dnsmasq for DHCP), and base images made with `qemu-img create`.
 *
 * The NAT network lives inside the host's own network namespace, which has no route out (only the
 * veth between the two test hosts): NAT there forwards nowhere real.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { isNotFound, type Libvirt, type NetworkRef } from '../../src/libvirt/index.ts';
import { hostEnv } from './hosts.ts';

const run = promisify(execFile);

/** The pool's directory as the host's daemon sees it. */
export const POOL_DIR = '/var/lib/libvirt/images';
/** The NAT network's subnet (the same on both hosts: each lives in its own namespace). */
export const NET_PREFIX = '10.213.78';

/** A path inside host `host`'s private /var/lib/libvirt, as seen from outside (hostinit.sh bind-mounts it). */
export function outsidePath(host: 'a' | 'b', inside: string): string {
  if (!inside.startsWith('/var/lib/libvirt/')) throw new Error(`${inside} is not under /var/lib/libvirt`);
  return path.join(hostEnv('GVH_DIR'), host, 'lib', inside.slice('/var/lib/libvirt/'.length));
}

/** NAT network XML: bridge, gateway .1, DHCP range .100–.199. */
export function natNetworkXml(name: string, bridge: string, prefix: string): string {
  return `<network><name>${name}</name><forward mode='nat'/><bridge name='${bridge}' stp='off'/>`
    + `<ip address='${prefix}.1' netmask='255.255.255.0'><dhcp><range start='${prefix}.100' end='${prefix}.199'/></dhcp></ip></network>`;
}

/** Looks a network up; defines and starts it if missing or inactive. */
export async function ensureNetwork(lv: Libvirt, name: string, bridge: string, prefix: string): Promise<NetworkRef> {
  let net = await lv.lookupNetwork(name).catch((err) => { if (isNotFound(err)) return null; throw err; });
  net ??= await lv.defineNetwork(natNetworkXml(name, bridge, prefix));
  if (!(await lv.networkIsActive(net))) await lv.startNetwork(net);
  return net;
}

/** Pool `default` and network `default` on the host behind `lv` (idempotent). */
export async function ensureGuestInfra(lv: Libvirt, host: 'a' | 'b'): Promise<void> {
  const pool = await lv.lookupStoragePool('default').catch((err) => { if (isNotFound(err)) return null; throw err; });
  if (!pool) {
    fs.mkdirSync(outsidePath(host, POOL_DIR), { recursive: true });
    await lv.createStoragePool(`<pool type='dir'><name>default</name><target><path>${POOL_DIR}</path></target></pool>`);
  }
  await ensureNetwork(lv, 'default', 'gvhbr0', NET_PREFIX);
}

/** Makes an empty qcow2 base image in the pool with qemu-img (if missing) and refreshes the pool. */
export async function makeBaseImage(lv: Libvirt, host: 'a' | 'b', name: string, sizeMiB = 16): Promise<string> {
  const inside = `${POOL_DIR}/${name}`;
  const file = outsidePath(host, inside);
  if (!fs.existsSync(file)) await run('qemu-img', ['create', '-q', '-f', 'qcow2', file, `${sizeMiB}M`], { timeout: 30_000 });
  await lv.refreshStoragePool(await lv.lookupStoragePool('default'));
  return inside;
}

/** Runs a command inside host `host`'s network namespace (e.g. to break its bridge on purpose). */
export async function inHostNetns(host: 'a' | 'b', ...argv: string[]): Promise<string> {
  const pid = hostEnv(`GVH_${host.toUpperCase()}_PID`);
  const { stdout } = await run('nsenter', ['-t', pid, '-n', '--', ...argv], { timeout: 30_000 });
  return stdout;
}

/** A random MAC in 52:54:00:xx:xx:xx and a host address in .10–.99 that no DHCP host entry of `net` holds. */
export async function freeAddress(lv: Libvirt, net: NetworkRef, avoid: string[] = []): Promise<{ mac: string; ip: string }> {
  const xml = await lv.networkXml(net);
  const b = () => Math.floor(Math.random() * 256).toString(16).padStart(2, '0');
  for (let last = 10; last < 100; last++) {
    const ip = `${NET_PREFIX}.${last}`;
    if (!xml.includes(`ip='${ip}'`) && !avoid.includes(ip)) return { mac: `52:54:00:${b()}:${b()}:${b()}`, ip };
  }
  throw new Error('no free test address left on the network');
}

/**
 * Fails unless this process runs in host `host`'s network namespace (scripts/run-tests.sh runs
 * test/migration/in-host-a/ there). Outside it, an agent dialling the hosts' addresses would use the machine's
 * own routes, and tests must never send anything beyond loopback and the private hosts.
 */
export function assertInHostNetns(host: 'a' | 'b'): void {
  const pid = hostEnv(`GVH_${host.toUpperCase()}_PID`);
  const mine = fs.readlinkSync('/proc/self/ns/net');
  const theirs = fs.readlinkSync(`/proc/${pid}/ns/net`);
  if (mine !== theirs) throw new Error(`this suite must run inside host ${host}'s network namespace (${theirs}), not ${mine}: run it through scripts/run-tests.sh`);
}
