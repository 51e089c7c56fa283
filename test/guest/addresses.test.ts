/**
 * A real Linux guest's addresses through GET /v1/domains/{name}/addresses on host a: its NIC before
 * it runs; ?wait answers within a second of its DHCP lease (woken by the lease file, not a poll);
 * the guest agent's view joins once it runs; GET /v1/domains/{name} carries them; bad waits refused.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DomainRef, NetworkRef } from '../../src/libvirt/index.ts';
import type { GuestNic } from '../../src/model/addresses.ts';
import { TEST_BACKGROUND, buildTestApp, type TestApp } from '../support/app.ts';
import { NET_PREFIX, ensureNetwork, freeAddress } from '../support/guest-infra.ts';
import { uniqueName } from '../support/guest.ts';
import { removeDomain } from '../support/hosts.ts';
import { linuxGuestImage, linuxGuestXml } from '../support/linux-guest.ts';
import { sleep, waitUntil } from '../support/wait.ts';

interface Answer { domain: string; nics: GuestNic[]; sources: Record<string, { ok: boolean; error?: string }>; waitedMs: number; timedOut?: boolean }

describe('a real guest\'s addresses', () => {
  let t: TestApp;
  let net: NetworkRef;
  let dom: DomainRef;
  let mac: string;
  let leased = '';
  const name = uniqueName('addr');
  const created = uniqueName('addrnew');

  const get = async (query = '') => {
    const res = await t.app.request(`/v1/domains/${name}/addresses${query}`);
    return { status: res.status, body: (await res.json()) as Answer & { error?: { code: string; fields?: Array<{ field: string }> } } };
  };

  before(async () => {
    t = await buildTestApp({ uriVar: 'GVH_A_URI', background: TEST_BACKGROUND });
    net = await ensureNetwork(t.deps.libvirt, 'default', 'gvhbr0', NET_PREFIX);
    ({ mac } = await freeAddress(t.deps.libvirt, net));
    dom = await t.deps.libvirt.defineXml(linuxGuestXml(name, { image: await linuxGuestImage(), mac }));
  });
  after(async () => {
    await removeDomain(t.deps.libvirt, name);
    await removeDomain(t.deps.libvirt, created);
    await t.close();
  });

  test('a guest that does not run: its NIC and network, no address; a wait answers at once', async () => {
    const { status, body } = await get('?wait=30');
    assert.equal(status, 200);
    assert.deepEqual(body.nics, [{ mac, network: 'default', guestName: null, addresses: [] }]);
    assert.ok(body.waitedMs < 1000);
  });

  test('bad waits are refused by field; an unknown guest is 404', async () => {
    for (const wait of ['abc', '121', '-1', '1.5']) {
      const { status, body } = await get(`?wait=${wait}`);
      assert.equal(status, 400, wait);
      assert.equal(body.error?.fields?.[0]?.field, 'wait', wait);
    }
    assert.equal((await t.app.request('/v1/domains/no-such-guest/addresses')).status, 404);
  });

  test('?wait answers with the leased address within a second of the lease', async (tc) => {
    assert.equal(t.deps.addresses?.watchingLeases, true, 'the lease directory is watched');
    dom = await t.deps.libvirt.start(dom);
    let leaseAt = 0;
    const watchLease = (async () => {
      while (!leaseAt) {
        const lease = (await t.deps.libvirt.dhcpLeases(net, mac))[0];
        if (lease) { leaseAt = Date.now(); leased = lease.ipaddr; } else await sleep(25);
      }
    })();
    const { status, body } = await get('?wait=120');
    const answeredAt = Date.now();
    await watchLease;
    assert.equal(status, 200);
    assert.equal(body.timedOut, false);
    const nic = body.nics.find((n) => n.mac === mac)!;
    const v4 = nic.addresses.find((a) => a.family === 'ipv4')!;
    assert.equal(v4.address, leased);
    // The lease usually answers first; the guest agent can be quicker (it reads the guest's own eth0).
    assert.ok(v4.sources.includes('lease') || v4.sources.includes('agent'), JSON.stringify(v4));
    tc.diagnostic(`answered ${answeredAt - leaseAt} ms after the lease appeared (waited ${body.waitedMs} ms)`);
    assert.ok(answeredAt - leaseAt < 1000, `answered ${answeredAt - leaseAt} ms after the lease`);
  });

  test('once the guest agent runs, its view joins: the guest\'s name for the NIC and agent as a source', async () => {
    const until = Date.now() + 90_000;
    let nic: GuestNic | undefined;
    while (Date.now() < until) {
      const { body } = await get();
      nic = body.nics.find((n) => n.mac === mac);
      if (nic?.guestName) break;
      await sleep(500);
    }
    assert.equal(nic?.guestName, 'eth0', JSON.stringify(nic));
    assert.deepEqual(nic!.addresses.find((a) => a.address === leased)?.sources.slice(0, 2), ['lease', 'agent']);
  });

  test('GET /v1/domains/{name} carries the addresses', async () => {
    const res = await t.app.request(`/v1/domains/${name}?source=fresh`);
    const body = (await res.json()) as { addresses: { nics: GuestNic[] } };
    assert.ok(body.addresses.nics.some((n) => n.addresses.some((a) => a.address === leased)), JSON.stringify(body.addresses));
  });

  test('the snapshots keep them: a cached read has the address too', async () => {
    await waitUntil(async () => {
      const res = await t.app.request(`/v1/domains/${name}?source=cached`);
      const body = (await res.json()) as { addresses: { nics: GuestNic[] } | null };
      return body.addresses?.nics.some((n) => n.addresses.some((a) => a.address === leased)) === true;
    }, 15_000);
  });

  test('the dashboard shows them: the domain page\'s table with the sources, the overview\'s IPv4 column', async () => {
    const page = await (await t.app.request(`/ui/domains/${name}`)).text();
    assert.match(page, new RegExp(`<table id="addresses">[\\s\\S]*${mac}[\\s\\S]*${leased.replaceAll('.', '\\.')}/\\d+ <span class="reason">\\((lease|agent)`));
    const overview = await (await t.app.request('/ui')).text();
    assert.match(overview, new RegExp(`data-domain="${name}"[\\s\\S]*?data-col="addresses"[^>]*>${leased.replaceAll('.', '\\.')}`));
  });

  test('a create with wait answers with the address the new guest took', async () => {
    const { mac: newMac } = await freeAddress(t.deps.libvirt, net);
    const xml = linuxGuestXml(created, { image: await linuxGuestImage(), mac: newMac });
    const res = await t.app.request('/v1/domains', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ xml, start: true, wait: 120 }) });
    const body = (await res.json()) as { state: string; address: string | null; nics: GuestNic[] };
    assert.equal(res.status, 201, JSON.stringify(body));
    assert.equal(body.state, 'running');
    assert.ok(body.address?.startsWith(`${NET_PREFIX}.`), JSON.stringify(body));
    const lease = (await t.deps.libvirt.dhcpLeases(net, newMac))[0];
    assert.equal(body.address, lease?.ipaddr ?? body.address, 'the address it answered is its lease (when the lease is already listed)');
    assert.equal(body.nics[0]?.mac, newMac);
    const refused = await t.app.request('/v1/domains', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ xml, start: true, wait: 500 }) });
    assert.equal(refused.status, 400);
  });
});
