/**
 * A real Linux guest's address after a live migration, seen by the destination's agent: the
 * guest keeps its lease from A's network, so on B the guest agent (and ARP once it talks) finds it.
 * Runs inside host A's network namespace, as the migration tests do.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Libvirt, NetworkRef } from '../../../src/libvirt/index.ts';
import type { GuestNic } from '../../../src/model/addresses.ts';
import { buildTestApp, type TestApp } from '../../support/app.ts';
import { NET_PREFIX, assertInHostNetns, ensureGuestInfra, ensureNetwork, freeAddress } from '../../support/guest-infra.ts';
import { uniqueName } from '../../support/guest.ts';
import { hostEnv, removeDomain } from '../../support/hosts.ts';
import { linuxGuestImage, linuxGuestXml } from '../../support/linux-guest.ts';
import { call } from '../../support/http.ts';

describe('a real guest\'s address after a migration, on the destination', () => {
  let a: TestApp;
  let b: TestApp;
  let net: NetworkRef;
  let leased = '';
  const name = uniqueName('addrmig').slice(0, 40);

  const addresses = async (t: TestApp, wait: number) => {
    const res = await t.app.request(`/v1/domains/${name}/addresses?wait=${wait}`);
    return (await res.json()) as { nics: GuestNic[]; timedOut?: boolean };
  };

  before(async () => {
    assertInHostNetns('a');
    a = await buildTestApp({ uriVar: 'GVH_A_URI' });
    b = await buildTestApp({ uriVar: 'GVH_B_URI' });
    await ensureGuestInfra(a.deps.libvirt, 'a');
    await ensureGuestInfra(b.deps.libvirt, 'b');
    net = await ensureNetwork(a.deps.libvirt, 'default', 'gvhbr0', NET_PREFIX);
    const { mac } = await freeAddress(a.deps.libvirt, net);
    await a.deps.libvirt.start(await a.deps.libvirt.defineXml(linuxGuestXml(name, { image: await linuxGuestImage(), mac })));
  });
  after(async () => {
    for (const lv of [a?.deps.libvirt, b?.deps.libvirt] as Libvirt[]) if (lv) await removeDomain(lv, name);
    await a?.close();
    await b?.close();
  });

  test('on A it takes its address; the guest agent sees it too', async () => {
    const until = Date.now() + 120_000;
    let nic: GuestNic | undefined;
    while (Date.now() < until) {
      nic = (await addresses(a, 30)).nics.find((n) => n.addresses.some((x) => x.family === 'ipv4' && x.sources.includes('agent')));
      if (nic) break;
    }
    assert.ok(nic, 'the agent reported an IPv4 address on A');
    leased = nic!.addresses.find((x) => x.family === 'ipv4')!.address;
    assert.ok(leased.startsWith(`${NET_PREFIX}.`), leased);
  });

  test('migrated to B, the destination\'s agent finds the same address', async () => {
    const r = await call(a, 'POST', `/v1/domains/${name}/actions/migrate`, { target: hostEnv('GVH_B_IP') });
    assert.equal(r.status, 200, r.text);
    assert.equal((await b.deps.libvirt.domainState(await b.deps.libvirt.lookupDomain(name))).stateText, 'running');
    const onB = await addresses(b, 60);
    assert.equal(onB.timedOut, false, JSON.stringify(onB));
    const found = onB.nics.flatMap((n) => n.addresses).find((x) => x.address === leased);
    assert.ok(found, `B reports ${JSON.stringify(onB.nics)}`);
    assert.ok(found!.sources.includes('agent') || found!.sources.includes('arp'), JSON.stringify(found));
  });
});
