/**
 * Behaviour against the real libvirtd's test driver (test:///default opened through the private
 * daemon). The driver's state is shared by connections while one is open, reset after the last.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Libvirt } from '../../src/libvirt/index.ts';
import { DomainState, NetworkUpdateCommand, NetworkUpdateSection, XmlFlags } from '../../src/libvirt/constants.ts';
import { ErrorCode, LibvirtError, isNotFound, isOperationInvalid, isAlreadyExists } from '../../src/libvirt/errors.ts';
import type { DomainEvent } from '../../src/libvirt/events.ts';
import { uuidToString } from '../../src/libvirt/types.ts';
import { EventLog, openHost } from '../support/hosts.ts';

describe('test driver through the private libvirtd', () => {
  let lv: Libvirt;
  let other: Libvirt;

  before(async () => {
    lv = await openHost('GVH_A_TEST_URI');
    other = await openHost('GVH_A_TEST_URI');
  });
  after(async () => {
    await other?.close();
    await lv?.close();
  });

  test('connection info names the test driver and libvirt 9.x', async () => {
    const info = await lv.connectionInfo();
    assert.equal(info.type, 'TEST');
    assert.equal(info.uri, 'test:///default');
    assert.ok(info.libVersion >= 9_000_000n, `lib version ${info.libVersion}`);
  });

  test('lists the fresh driver\'s domain "test", running, in one bulk call', async () => {
    const summaries = await lv.listDomainSummaries();
    const test = summaries.find((s) => s.domain.name === 'test');
    assert.ok(test, JSON.stringify(summaries.map((s) => s.domain.name)));
    assert.equal(test.state, DomainState.RUNNING);
    assert.equal(test.stateText, 'running');
    assert.equal(uuidToString(test.domain.uuid), '6695eb01-f6a4-8304-79aa-97f2502e193f');
    const listed = await lv.listDomains();
    assert.deepEqual(listed.map((d) => d.name).sort(), summaries.map((s) => s.domain.name).sort());
  });

  test('lookup by name and by UUID agree; state and info decode', async () => {
    const byName = await lv.lookupDomain('test');
    const byUuid = await lv.lookupDomainByUuid(byName.uuid);
    assert.deepEqual(byUuid, byName);
    const state = await lv.domainState(byName);
    assert.equal(state.state, DomainState.RUNNING);
    const info = await lv.domainInfo(byName);
    assert.equal(info.state, DomainState.RUNNING);
    assert.ok(info.nrVirtCpu >= 1);
    assert.ok(info.maxMemKiB > 0n);
  });

  test('XML names the domain and its UUID', async () => {
    const dom = await lv.lookupDomain('test');
    const xml = await lv.domainXml(dom, XmlFlags.INACTIVE);
    assert.match(xml, /<name>test<\/name>/);
    assert.match(xml, new RegExp(`<uuid>${uuidToString(dom.uuid)}</uuid>`));
  });

  test('a missing domain is error 42 from the test driver, decoded with its message', async () => {
    const err = await lv.lookupDomain('no-such-domain').catch((e: unknown) => e);
    assert.ok(err instanceof LibvirtError);
    assert.equal(err.code, ErrorCode.NO_DOMAIN);
    assert.equal(err.domain, 12);
    assert.match(err.message, /Domain not found/);
    assert.ok(isNotFound(err));
  });

  test('suspend and resume change state and emit events seen by another connection', async () => {
    const events = new EventLog<DomainEvent>();
    const sub = await other.onLifecycle(events.push);
    const dom = await lv.lookupDomain('test');
    await lv.suspend(dom);
    assert.deepEqual(await other.domainState(dom).then((s) => [s.state, s.reason]), [DomainState.PAUSED, 1]);
    await lv.resume(dom);
    assert.equal((await lv.domainState(dom)).state, DomainState.RUNNING);
    await events.waitFor((items) => items.length >= 2);
    const named = events.items.map((e) => e.kind === 'lifecycle' ? `${e.domain.name} ${e.eventName}/${e.detailName}` : e.kind);
    assert.deepEqual(named, ['test suspended/paused', 'test resumed/unpaused']);
    await sub.unsubscribe();
  });

  test('starting a running domain fails; the test driver calls it an internal error (1), not 55', async () => {
    const dom = await lv.lookupDomain('test');
    const err = await lv.start(dom).catch((e: unknown) => e);
    assert.ok(err instanceof LibvirtError);
    assert.equal(err.code, ErrorCode.INTERNAL_ERROR);
    assert.ok(!isOperationInvalid(err));
    assert.match(err.message, /already running/);
  });

  test('define, start, destroy and undefine a domain, with their lifecycle events', async () => {
    const events = new EventLog<DomainEvent>();
    const sub = await lv.onLifecycle(events.push);
    const xml = `<domain type='test'><name>itest-def</name><memory>8192</memory><os><type>hvm</type></os></domain>`;
    const defined = await lv.defineXml(xml);
    assert.equal(defined.id, -1);
    assert.ok(isAlreadyExists(await lv.createXml(xml).catch((e: unknown) => e)));
    const started = await lv.start(defined);
    assert.ok(started.id > 0, `new id ${started.id}`);
    assert.equal(await lv.getAutostart(started), false);
    await lv.setAutostart(started, true);
    assert.equal(await lv.getAutostart(started), true);
    await lv.destroy(started);
    assert.deepEqual(await lv.domainState(started).then((s) => [s.stateText, s.reasonText]), ['shut off', 'destroyed']);
    await lv.undefine(started);
    assert.ok(isNotFound(await lv.lookupDomain('itest-def').catch((e: unknown) => e)));
    await events.waitFor((items) => items.length >= 4);
    const names = events.items.filter((e) => e.domain.name === 'itest-def').map((e) => e.kind === 'lifecycle' ? e.eventName : e.kind);
    assert.deepEqual(names, ['defined', 'started', 'stopped', 'undefined']);
    await sub.unsubscribe();
  });

  test('storage volume create, lookup, path and delete in default-pool; missing pool is 49', async () => {
    const pool = await lv.lookupStoragePool('default-pool');
    const vol = await lv.createStorageVol(pool, `<volume><name>itest.img</name><capacity unit='MiB'>8</capacity></volume>`);
    assert.deepEqual(vol, { pool: 'default-pool', name: 'itest.img', key: '/default-pool/itest.img' });
    assert.deepEqual(await lv.lookupStorageVol(pool, 'itest.img'), vol);
    assert.equal(await lv.storageVolPath(vol), '/default-pool/itest.img');
    await lv.deleteStorageVol(vol);
    assert.ok(isNotFound(await lv.lookupStorageVol(pool, 'itest.img').catch((e: unknown) => e)));
    const noPool = await lv.lookupStoragePool('nope').catch((e: unknown) => e);
    assert.equal((noPool as LibvirtError).code, ErrorCode.NO_STORAGE_POOL);
  });

  test('network update adds a DHCP host entry live and persistent', async () => {
    const net = await lv.lookupNetwork('default');
    const host = `<host mac='52:54:00:00:00:99' name='itest' ip='192.168.122.99'/>`;
    await lv.networkUpdate(net, NetworkUpdateCommand.ADD_LAST, NetworkUpdateSection.IP_DHCP_HOST, host);
    assert.match(await lv.networkXml(net), /<host mac='52:54:00:00:00:99' name='itest' ip='192\.168\.122\.99'\/>/);
    await lv.networkUpdate(net, NetworkUpdateCommand.DELETE, NetworkUpdateSection.IP_DHCP_HOST, host);
    assert.doesNotMatch(await lv.networkXml(net), /52:54:00:00:00:99/);
    const noNet = await lv.lookupNetwork('nope').catch((e: unknown) => e);
    assert.equal((noNet as LibvirtError).code, ErrorCode.NO_NETWORK);
  });

  test('job APIs are unsupported by the test driver (error 3)', async () => {
    const dom = await lv.lookupDomain('test');
    const err = await lv.jobInfo(dom).catch((e: unknown) => e);
    assert.equal((err as LibvirtError).code, ErrorCode.NO_SUPPORT);
  });

  test('node info decodes the test driver\'s fixed host', async () => {
    const node = await lv.nodeInfo();
    assert.deepEqual({ ...node, memoryKiB: Number(node.memoryKiB) }, {
      model: 'i686', memoryKiB: 3_145_728, cpus: 16, mhz: 1400, nodes: 2, sockets: 2, cores: 2, threads: 2,
    });
  });
});
