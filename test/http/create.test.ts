/**
 * Create, for real, on the private QEMU host: from XML and from the form (a qcow2 overlay on a base
 * image made here with qemu-img, a NIC on a NAT network, a static DHCP entry), each bad form field
 * rejected by name, and a failure mid-create (after the overlay and the DHCP entry exist) leaving
 * nothing behind, with the audit record listing what was done and undone.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Libvirt, NetworkRef } from '../../src/libvirt/index.ts';
import { found } from '../../src/libvirt/index.ts';
import { parseNetworkXml } from '../../src/guest/network.ts';
import { parseVolumeXml } from '../../src/guest/volume.ts';
import { buildTestApp, type TestApp } from '../support/app.ts';
import { tinyGuestXml, uniqueName } from '../support/guest.ts';
import {
  NET_PREFIX, ensureGuestInfra, ensureNetwork, freeAddress, inHostNetns, makeBaseImage,
} from '../support/guest-infra.ts';
import { assertError, call, goPayload, oneAudit, removeDomain } from '../support/http.ts';

const BASE = 'gvh-base.qcow2';

/** Removes a form-created guest: domain, overlay volume and DHCP entry, whichever exist. */
async function removeGuest(lv: Libvirt, net: NetworkRef, name: string): Promise<void> {
  const dom = await lv.lookupDomain(name).catch(() => null);
  if (dom) {
    await lv.destroy(dom).catch(() => {});
    await lv.undefine(dom).catch(() => {});
  }
  const pool = await lv.lookupStoragePool('default');
  const vol = await lv.lookupStorageVol(pool, `${name}.qcow2`).catch(() => null);
  if (vol) await lv.deleteStorageVol(vol).catch(() => {});
  const host = parseNetworkXml(await lv.networkXml(net)).ipv4?.hosts.find((h) => h.name === name);
  if (host?.mac && host.ip) {
    await lv.networkUpdate(net, 2, 4, `<host mac='${host.mac}' name='${name}' ip='${host.ip}'/>`).catch(() => {});
  }
}

/** The network's static DHCP hosts (the XML's connections count changes as guests come and go). */
async function dhcpHosts(lv: Libvirt, net: NetworkRef) {
  return parseNetworkXml(await lv.networkXml(net)).ipv4?.hosts ?? [];
}

async function gone(lookup: Promise<unknown>): Promise<boolean> {
  return !(await found(lookup));
}

describe('create on a real QEMU host', () => {
  let t: TestApp;
  let lv: Libvirt;
  let net: NetworkRef;
  const names: string[] = [];
  const fresh = (p: string) => { const n = uniqueName(p).replace(/[^a-z0-9-]/gi, '-').slice(0, 40); names.push(n); return n; };

  before(async () => {
    t = await buildTestApp({ uriVar: 'GVH_A_URI' });
    lv = t.deps.libvirt;
    await ensureGuestInfra(lv, 'a');
    await makeBaseImage(lv, 'a', BASE);
    net = await lv.lookupNetwork('default');
  });
  after(async () => {
    for (const n of names) await removeGuest(lv, net, n);
    await t.close();
  });

  test('from XML: defined and running; a start failure undefines it again and the audit says so', async () => {
    const ok = fresh('cx');
    const a = await call(t, 'POST', '/v1/domains', { xml: tinyGuestXml(ok), start: true });
    assert.equal(a.status, 201, a.text);
    assert.deepEqual([a.body.state, a.body.reason], ['running', 'booted']);
    assert.deepEqual(oneAudit(t, a.body.requestId).result?.steps, ['domain defined', 'domain started']);
    await removeDomain(t, ok);

    const bad = fresh('cx-bad');
    const xml = tinyGuestXml(bad).replace("<interface type='ethernet'>", "<interface type='network'><source network='no-such-network'/>");
    const err = assertError(await call(t, 'POST', '/v1/domains', { xml, start: true }), 404, 'NOT_FOUND');
    assert.match(err.message, /no-such-network/);
    assert.ok(await gone(lv.lookupDomain(bad)), 'the definition was removed');
    const rec = oneAudit(t, err.requestId);
    assert.equal(rec.outcome, 'failed');
    const steps = rec.result?.steps as string[];
    assert.equal(steps[0], 'domain defined');
    assert.match(String(steps[1]), /^domain started: failed: /);
    assert.deepEqual(rec.result?.undone, ['domain undefined']);
  });

  test('from the form (REST): runs on a qcow2 overlay of the base image, with its DHCP entry on the network', async () => {
    const name = fresh('cf');
    const { mac, ip } = await freeAddress(lv, net);
    const a = await call(t, 'POST', '/v1/domains', { hostname: name, image: BASE, cpucount: 1, memorycount: 1, mac, ip, leasetime: 3600 });
    assert.equal(a.status, 201, a.text);
    assert.deepEqual([a.body.action, a.body.domain, a.body.state, a.body.mac, a.body.ip], ['create', name, 'running', mac, ip]);

    const dom = await lv.lookupDomain(name);
    assert.deepEqual((await lv.domainState(dom)).stateText, 'running');
    const domXml = await lv.domainXml(dom);
    assert.match(domXml, new RegExp(`<source file='/var/lib/libvirt/images/${name}.qcow2'`));
    assert.match(domXml, new RegExp(`<mac address='${mac}'/>`));
    assert.match(domXml, /<source network='default'/);
    assert.match(domXml, /<serial type='pty'>/);
    assert.match(domXml, /<vcpu placement='static'>1<\/vcpu>/);
    assert.match(domXml, /<memory unit='KiB'>1048576<\/memory>/);

    const pool = await lv.lookupStoragePool('default');
    const overlay = parseVolumeXml(await lv.storageVolXml(await lv.lookupStorageVol(pool, `${name}.qcow2`)));
    const base = parseVolumeXml(await lv.storageVolXml(await lv.lookupStorageVol(pool, BASE)));
    assert.deepEqual([overlay.format, overlay.backingPath, overlay.backingFormat], ['qcow2', base.path, 'qcow2']);
    assert.equal(overlay.capacityBytes, base.capacityBytes);

    const hosts = parseNetworkXml(await lv.networkXml(net)).ipv4?.hosts ?? [];
    assert.deepEqual(hosts.filter((h) => h.name === name), [{ mac, name, ip }]);
    assert.match(await lv.networkXml(net), new RegExp(`<host mac='${mac}' name='${name}' ip='${ip}'>\\s*<lease expiry='3600' unit='seconds'/>`));

    const rec = oneAudit(t, a.body.requestId);
    assert.equal(rec.outcome, 'succeeded');
    const steps = rec.result?.steps as string[];
    assert.equal(steps.length, 4);
    assert.match(String(steps[0]), /^overlay volume '.*' created on '\/var\/lib\/libvirt\/images\/gvh-base\.qcow2'$/);
    assert.match(String(steps[1]), /^DHCP host .* added to network 'default'$/);
    assert.deepEqual(rec.result?.undone, []);
  });

  test('from the seed form without mac or ip: a MAC is chosen, no DHCP entry is made', async () => {
    const name = fresh('cs');
    const before = await dhcpHosts(lv, net);
    const a = await call(t, 'POST', '/', goPayload({ action: 'create', form: { hostname: name, image: BASE, cpucount: 1, memorycount: 1 } }));
    assert.equal(a.status, 200, a.text);
    assert.deepEqual([a.body.domain, a.body.state, a.body.ip], [name, 'running', null]);
    assert.match(a.body.mac, /^52:54:00(:[0-9a-f]{2}){3}$/);
    assert.deepEqual(await dhcpHosts(lv, net), before, 'no DHCP entry was added');
  });

  test('each bad form field is rejected by name, and nothing is made', async () => {
    const taken = fresh('ct');
    const addr = await freeAddress(lv, net);
    const made = await call(t, 'POST', '/v1/domains', { hostname: taken, image: BASE, cpucount: 1, memorycount: 1, ...addr });
    assert.equal(made.status, 201, made.text);
    const hostGiB = Number((await lv.nodeInfo()).memoryKiB / 1024n / 1024n);
    const name = fresh('cb');
    const free = await freeAddress(lv, net, [addr.ip]);
    const form = { hostname: name, image: BASE, cpucount: 1, memorycount: 1, ...free };
    const cases: Array<[Record<string, unknown>, number, string, string]> = [
      [{ mac: '52:54:00:zz:00:01' }, 400, 'VALIDATION_FAILED', 'mac'],
      [{ mac: '01:00:5e:00:00:01' }, 400, 'VALIDATION_FAILED', 'mac'],
      [{ ip: `${NET_PREFIX}.300` }, 400, 'VALIDATION_FAILED', 'ip'],
      [{ ip: 'fd00::5' }, 400, 'VALIDATION_FAILED', 'ip'],
      [{ ip: '10.213.79.5' }, 400, 'VALIDATION_FAILED', 'ip'],
      [{ ip: `${NET_PREFIX}.1` }, 400, 'VALIDATION_FAILED', 'ip'],
      [{ ip: `${NET_PREFIX}.255` }, 400, 'VALIDATION_FAILED', 'ip'],
      [{ mac: addr.mac }, 409, 'ALREADY_EXISTS', 'mac'],
      [{ ip: addr.ip }, 409, 'ALREADY_EXISTS', 'ip'],
      [{ hostname: taken }, 409, 'ALREADY_EXISTS', 'hostname'],
      [{ cpucount: 4096 }, 400, 'VALIDATION_FAILED', 'cpucount'],
      [{ memorycount: hostGiB + 1 }, 400, 'VALIDATION_FAILED', 'memorycount'],
      [{ image: 'no-such-image.qcow2' }, 400, 'VALIDATION_FAILED', 'image'],
      [{ image: '../images/gvh-base.qcow2' }, 400, 'VALIDATION_FAILED', 'image'],
      [{ image: '/var/lib/libvirt/images/gvh-base.qcow2' }, 400, 'VALIDATION_FAILED', 'image'],
      [{ image: '..' }, 400, 'VALIDATION_FAILED', 'image'],
      [{ leasetime: 60 }, 400, 'VALIDATION_FAILED', 'leasetime'],
      [{ ip: undefined, leasetime: 3600 }, 400, 'VALIDATION_FAILED', 'leasetime'],
      [{ image: undefined }, 400, 'VALIDATION_FAILED', 'image'],
      [{ hostname: 'under_score' }, 400, 'VALIDATION_FAILED', 'hostname'],
      [{ xml: tinyGuestXml(name) }, 400, 'VALIDATION_FAILED', 'image'],
    ];
    const stopped = fresh('cm'); // a defined, stopped domain: no lease, but its NIC's MAC is taken
    const stoppedDom = await lv.defineXml(tinyGuestXml(stopped));
    const stoppedMac = /<mac address='([^']+)'/.exec(await lv.domainXml(stoppedDom))?.[1];
    assert.ok(stoppedMac, 'libvirt gave the stopped domain a MAC');
    cases.push([{ mac: stoppedMac.toUpperCase() }, 409, 'ALREADY_EXISTS', 'mac']);
    const netBefore = await dhcpHosts(lv, net);
    for (const [change, status, code, field] of cases) {
      const body = Object.fromEntries(Object.entries({ ...form, ...change }).filter(([, v]) => v !== undefined));
      const err = assertError(await call(t, 'POST', '/v1/domains', body), status, code, field);
      // The dispatcher files validation as "rejected" and a taken name or address as "failed".
      assert.equal(oneAudit(t, err.requestId).outcome, code === 'VALIDATION_FAILED' ? 'rejected' : 'failed', JSON.stringify(change));
    }
    const both = assertError(await call(t, 'POST', '/v1/domains', { ...form, cpucount: 4096, ip: '10.213.79.5' }), 400, 'VALIDATION_FAILED');
    assert.deepEqual(both.fields.map((f: { field: string }) => f.field).sort(), ['cpucount', 'ip'], 'every bad field at once');
    assert.ok(await gone(lv.lookupDomain(name)), 'no domain');
    assert.ok(await gone(lv.lookupStorageVol(await lv.lookupStoragePool('default'), `${name}.qcow2`)), 'no overlay');
    assert.deepEqual(await dhcpHosts(lv, net), netBefore, 'no DHCP entry');
  });

  test('a start failure after the overlay and the DHCP entry exist leaves nothing behind', async () => {
    const broken = await ensureNetwork(lv, 'gvh-broken', 'gvhbr9', '10.213.79');
    const b = await buildTestApp({ uriVar: 'GVH_A_URI', settings: { network: 'gvh-broken' } });
    try {
      await inHostNetns('a', 'ip', 'link', 'del', 'gvhbr9'); // libvirt still thinks the network runs; starting a guest on it fails
      const name = fresh('cr');
      const netBefore = await dhcpHosts(lv, broken);
      const a = await call(b, 'POST', '/v1/domains', { hostname: name, image: BASE, cpucount: 1, memorycount: 1, mac: '52:54:00:79:00:07', ip: '10.213.79.7', leasetime: 600 });
      const err = assertError(a, 502, 'LIBVIRT_ERROR');
      assert.match(err.message, /gvhbr9/);
      assert.ok(await gone(lv.lookupDomain(name)), 'definition removed');
      assert.ok(await gone(lv.lookupStorageVol(await lv.lookupStoragePool('default'), `${name}.qcow2`)), 'overlay deleted');
      assert.deepEqual(await dhcpHosts(lv, broken), netBefore, 'DHCP entry removed');
      const rec = oneAudit(b, err.requestId);
      assert.equal(rec.outcome, 'failed');
      const steps = rec.result?.steps as string[];
      assert.equal(steps.length, 4, JSON.stringify(steps));
      assert.match(steps[0]!, /^overlay volume .* created/);
      assert.match(steps[1]!, /^DHCP host 52:54:00:79:00:07 → 10\.213\.79\.7 added/);
      assert.equal(steps[2], 'domain defined');
      assert.match(steps[3]!, /^domain started: failed: .*gvhbr9/);
      assert.deepEqual(rec.result?.undone, [
        'domain undefined',
        "DHCP host 52:54:00:79:00:07 → 10.213.79.7 removed from network 'gvh-broken'",
        `overlay volume '${name}.qcow2' deleted`,
      ]);
    } finally {
      await b.close();
      await lv.destroyNetwork(broken).catch(() => {});
      await lv.undefineNetwork(broken).catch(() => {});
    }
  });
});
