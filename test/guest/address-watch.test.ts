/**
 * The address watch without a daemon: a lease directory that appears after the agent started is
 * watched from the next wait; a lease file written there wakes a wait at once; a guest agent
 * connecting wakes it too; without a watchable directory the wait still ends by backing off.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AddressWatch } from '../../src/guest/address-watch.ts';
import type { DomainEvent, DomainInterface, Libvirt } from '../../src/libvirt/index.ts';
import { sleep } from '../support/wait.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gvh-leases-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
const dom = { name: 'g', uuid: Buffer.alloc(16, 9), id: 4 };
const MAC = '52:54:00:00:00:09';

/** A libvirt whose lease source answers `leases()` (the agent and ARP answer nothing). */
function fakeLibvirt(leases: () => DomainInterface[]): Libvirt {
  return {
    domainXml: async () => `<domain><devices><interface type='network'><source network='default'/><mac address='${MAC}'/></interface></devices></domain>`,
    interfaceAddresses: async (_d: unknown, source: number) => (source === 0 ? leases() : []),
  } as unknown as Libvirt;
}

const leased = (): DomainInterface[] => [{ name: 'vnet0', hwaddr: MAC, addrs: [{ type: 0, addr: '10.0.0.9', prefix: 24 }] }];

test('a lease directory made after the start is watched, and a lease file wakes a wait at once', async () => {
  const leaseDir = path.join(dir, 'dnsmasq');
  let list: DomainInterface[] = [];
  const listeners = new Set<(e: DomainEvent) => void>();
  const watch = new AddressWatch({ libvirt: fakeLibvirt(() => list), events: { listen: (l) => { listeners.add(l); return () => listeners.delete(l); } }, now: Date.now, leaseDir });
  watch.start();
  assert.equal(watch.watchingLeases, false, 'no directory yet');
  fs.mkdirSync(leaseDir);
  assert.equal(watch.watchingLeases, true, 'watched once it exists');
  const began = Date.now();
  const waiting = watch.waitForIpv4(dom, 20_000);
  await sleep(300);
  list = leased();
  fs.writeFileSync(path.join(leaseDir, 'gvhbr0.status'), '[]');
  const answer = await waiting;
  assert.equal(answer.timedOut, false);
  assert.ok(Date.now() - began < 2_000, `woke after ${Date.now() - began} ms (the safety tick is 5 s)`);
  assert.deepEqual(answer.addresses.nics[0]?.addresses.map((a) => a.address), ['10.0.0.9']);

  list = [];
  const second = watch.waitForIpv4(dom, 20_000);
  await sleep(300);
  list = leased();
  for (const l of listeners) l({ kind: 'agent', callbackId: 1, domain: dom, connected: true });
  assert.equal((await second).timedOut, false, 'the agent connecting woke it');
  watch.stop();
});

test('without a watchable directory a wait backs off and still ends; time up, it says so', async () => {
  let calls = 0;
  const watch = new AddressWatch({ libvirt: fakeLibvirt(() => (++calls > 3 ? leased() : [])), events: { listen: () => () => {} }, now: Date.now, leaseDir: path.join(dir, 'never') });
  watch.start();
  assert.equal((await watch.waitForIpv4(dom, 10_000)).timedOut, false);
  const never = new AddressWatch({ libvirt: fakeLibvirt(() => []), events: { listen: () => () => {} }, now: Date.now, leaseDir: null });
  never.start();
  const answer = await never.waitForIpv4(dom, 600);
  assert.equal(answer.timedOut, true);
  assert.ok(answer.waitedMs >= 600);
  never.stop();
  watch.stop();
});
