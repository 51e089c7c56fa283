/**
 * The tiny real Linux test guest (test/support/linux-guest.ts) on private host a: it boots, takes a
 * DHCP lease on the NAT network, its guest agent answers, and an ACPI power button press or an
 * agent shutdown really shuts it off. Under TCG too, so the waits are generous; the measured times
 * are printed as diagnostics.
 */
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import {
  DomainState, InterfaceAddressSource, ShutdownFlags,
  type DhcpLease, type DomainInterface, type DomainRef, type Libvirt, type NetworkRef,
} from '../../src/libvirt/index.ts';
import { NET_PREFIX, ensureNetwork, freeAddress } from '../support/guest-infra.ts';
import { uniqueName } from '../support/guest.ts';
import { hostEnv, openHost, removeDomain } from '../support/hosts.ts';
import { linuxGuestImage, linuxGuestVirtType, linuxGuestXml, serialLogPath, type LinuxGuestImage } from '../support/linux-guest.ts';
import { sleep } from '../support/wait.ts';

const BOOT_TO_LEASE_MS = 120_000;
const AGENT_MS = 90_000;
const SHUTDOWN_MS = 30_000;
const VIRT = linuxGuestVirtType();
const virt = `${VIRT.type}: ${VIRT.why}`;

/** The guest stopped running (paused on an emulation failure, or gone): waiting longer is useless. */
class GuestStopped extends Error {}

describe('a tiny real Linux guest on host a', () => {
  let lv: Libvirt;
  let net: NetworkRef;
  let image: LinuxGuestImage;
  let mac: string;
  let dom: DomainRef;
  let lease: DhcpLease;
  const name = uniqueName('linux');

  /** The end of the guest's serial console, for failure messages. */
  const serialTail = () => {
    try {
      return fs.readFileSync(serialLogPath(hostEnv('GVH_A_LOGDIR'), name), 'utf8').slice(-2000);
    } catch (err) {
      return `(no serial log: ${String(err)})`;
    }
  };

  /** Polls `probe` every 250 ms until it returns a value; fails after timeoutMs with the serial log. */
  async function poll<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
    const until = Date.now() + timeoutMs;
    let lastError: unknown;
    while (Date.now() < until) {
      try {
        const value = await probe();
        if (value !== undefined) return value;
      } catch (err) {
        if (err instanceof GuestStopped) throw new Error(`${what}: ${err.message}; serial console:\n${serialTail()}`);
        lastError = err;
      }
      await sleep(250);
    }
    throw new Error(`${what}: not within ${timeoutMs} ms (last error: ${String(lastError)}); serial console:\n${serialTail()}`);
  }

  const agentInterfaces = () => poll('the guest agent answers with eth0 and its address', AGENT_MS, async () => {
    const ifaces = await lv.interfaceAddresses(dom, InterfaceAddressSource.AGENT);
    const eth0 = ifaces.find((i) => i.hwaddr === mac);
    return eth0?.addrs.some((a) => a.addr === lease.ipaddr) ? ifaces : undefined;
  });

  async function waitShutOff(t: TestContext, how: string, began: number): Promise<void> {
    const state = await poll(`shut off after ${how}`, SHUTDOWN_MS, async () => {
      const s = await lv.domainState(dom);
      return s.state === DomainState.SHUTOFF ? s : undefined;
    });
    t.diagnostic(`${how}: shut off ${Date.now() - began} ms after the request (${virt})`);
    assert.equal(state.reasonText, 'shutdown', 'the guest powered itself off, nobody destroyed it');
  }

  before(async () => {
    lv = await openHost('GVH_A_URI');
    net = await ensureNetwork(lv, 'default', 'gvhbr0', NET_PREFIX);
    image = await linuxGuestImage();
    ({ mac } = await freeAddress(lv, net));
  });
  after(async () => {
    await removeDomain(lv, name);
    await lv.close();
  });

  test('boots and takes a DHCP lease for its MAC on the NAT network', async (t) => {
    dom = await lv.defineXml(linuxGuestXml(name, { image, mac }));
    const began = Date.now();
    dom = await lv.start(dom);
    lease = await poll('a DHCP lease for the guest', BOOT_TO_LEASE_MS, async () => {
      const state = await lv.domainState(dom);
      if (state.state !== DomainState.RUNNING) throw new GuestStopped(`the guest is ${state.stateText} (${state.reasonText})`);
      return (await lv.dhcpLeases(net, mac))[0];
    });
    t.diagnostic(`lease ${lease.ipaddr} ${Date.now() - began} ms after start (${virt})`);
    assert.equal(lease.mac, mac);
    assert.ok(lease.ipaddr.startsWith(`${NET_PREFIX}.`), lease.ipaddr);
    assert.equal(lease.hostname, 'gvh-linux');
  });

  test('the lease shows in the domain\'s interface addresses (source: lease)', async () => {
    const ifaces = await lv.interfaceAddresses(dom, InterfaceAddressSource.LEASE);
    assert.deepEqual(ifaces.map((i) => [i.hwaddr, i.addrs.map((a) => [a.type, a.addr, a.prefix])]), [[mac, [[0, lease.ipaddr, 24]]]]);
  });

  test('the guest agent answers: eth0 with the MAC and the leased address, and lo', async (t) => {
    const began = Date.now();
    const ifaces: DomainInterface[] = await agentInterfaces();
    t.diagnostic(`agent answered ${Date.now() - began} ms after the lease`);
    const eth0 = ifaces.find((i) => i.name === 'eth0');
    assert.equal(eth0?.hwaddr, mac);
    assert.ok(eth0?.addrs.some((a) => a.type === 0 && a.addr === lease.ipaddr && a.prefix === 24), JSON.stringify(eth0));
    assert.ok(ifaces.find((i) => i.name === 'lo')?.addrs.some((a) => a.addr === '127.0.0.1'), JSON.stringify(ifaces));
  });

  test('an ACPI power button press shuts it off, not forced', async (t) => {
    const began = Date.now();
    await lv.shutdown(dom, ShutdownFlags.ACPI_POWER_BTN);
    await waitShutOff(t, 'ACPI power button', began);
    assert.match(serialTail(), /ACPI power button, powering off/);
  });

  test('started again, a guest agent shutdown shuts it off', async (t) => {
    dom = await lv.start(dom);
    await agentInterfaces();
    const began = Date.now();
    await lv.shutdown(dom, ShutdownFlags.GUEST_AGENT);
    await waitShutOff(t, 'guest agent shutdown', began);
    assert.match(serialTail(), /shutdown \(poweroff\) requested/);
  });
});
