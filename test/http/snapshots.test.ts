/**
 * Domain snapshots through the REST routes, on real guests of host a: a running Linux guest on a
 * qcow2 disk is snapshotted, a file is written over its console, a revert makes the file gone;
 * the tree, XML and deletes; a diskless guest and a raw disk are refused with their reason (and a
 * raw disk takes a disk-only snapshot instead); each step is audited.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { DomainRef, LibvirtStream } from '../../src/libvirt/index.ts';
import { ConsoleFlags } from '../../src/libvirt/index.ts';
import type { DomainSnapshotTree } from '../../src/model/domain-snapshot.ts';
import { buildTestApp, type TestApp } from '../support/app.ts';
import { NET_PREFIX, POOL_DIR, ensureGuestInfra, ensureNetwork, freeAddress, makeBaseImage, outsidePath } from '../support/guest-infra.ts';
import { uniqueName } from '../support/guest.ts';
import { removeDomain } from '../support/hosts.ts';
import { linuxGuestImage, linuxGuestXml } from '../support/linux-guest.ts';
import { sleep } from '../support/wait.ts';

const run = promisify(execFile);
const BOOT_MS = 120_000;

/** The Linux guest's XML with one disk of `format` at `path` (inside the host). */
function withDisk(xml: string, path: string, format: 'qcow2' | 'raw'): string {
  return xml.replace('<controller', `<disk type='file' device='disk'><driver name='qemu' type='${format}'/><source file='${path}'/><target dev='vda' bus='virtio'/></disk>\n    <controller`);
}

/** Everything a console stream printed, and a way to type into it until something shows. */
function terminal(stream: LibvirtStream) {
  let text = '';
  stream.onData((chunk) => { text += chunk.toString('latin1'); stream.consumed(chunk.length); });
  return {
    text: () => text,
    async typeUntil(line: string, expect: RegExp, timeoutMs: number): Promise<void> {
      const from = text.length;
      const until = Date.now() + timeoutMs;
      while (Date.now() < until) {
        await stream.write(Buffer.from(`${line}\n`));
        for (let i = 0; i < 20; i++) {
          if (expect.test(text.slice(from))) return;
          await sleep(100);
        }
      }
      throw new Error(`the console never showed ${expect}; it showed:\n${text.slice(-1500)}`);
    },
  };
}

describe('domain snapshots on host a', () => {
  let t: TestApp;
  const guest = uniqueName('snap');
  const diskless = uniqueName('snapnodisk');
  const rawGuest = uniqueName('snapraw');
  let dom: DomainRef;

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await t.app.request(`/v1/domains/${path}`, {
      method, ...(body !== undefined && { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    const text = await res.text();
    return { status: res.status, type: res.headers.get('content-type') ?? '', text, json: () => JSON.parse(text) };
  };

  before(async () => {
    t = await buildTestApp({ uriVar: 'GVH_A_URI' });
    const lv = t.deps.libvirt;
    await ensureGuestInfra(lv, 'a');
    const net = await ensureNetwork(lv, 'default', 'gvhbr0', NET_PREFIX);
    const image = await linuxGuestImage();
    const disk = await makeBaseImage(lv, 'a', `${guest}.qcow2`, 64);
    dom = await lv.defineXml(withDisk(linuxGuestXml(guest, { image, mac: (await freeAddress(lv, net)).mac }), disk, 'qcow2'));
    await lv.defineXml(linuxGuestXml(diskless, { image, mac: (await freeAddress(lv, net)).mac }));
    const raw = `${POOL_DIR}/${rawGuest}.raw`;
    await run('qemu-img', ['create', '-q', '-f', 'raw', outsidePath('a', raw), '16M'], { timeout: 30_000 });
    await lv.defineXml(withDisk(linuxGuestXml(rawGuest, { image, mac: (await freeAddress(lv, net)).mac }), raw, 'raw'));
  });
  after(async () => {
    for (const name of [guest, diskless, rawGuest]) await removeDomain(t.deps.libvirt, name);
    await t.close();
  });

  test('a diskless guest is refused with its reason, naming the domain', async () => {
    const res = await call('POST', `${diskless}/snapshots`, { name: 'nothing' });
    assert.equal(res.status, 409);
    const { error } = res.json();
    assert.equal(error.code, 'CONFLICT');
    assert.deepEqual(error.fields.map((f: { field: string }) => f.field), ['domain']);
    assert.match(error.message, /no writable disk/);
  });

  test('a raw disk is refused an internal snapshot, naming diskOnly; a disk-only one is taken', async () => {
    const refused = await call('POST', `${rawGuest}/snapshots`, { name: 'internal' });
    assert.equal(refused.status, 409);
    assert.deepEqual(refused.json().error.fields.map((f: { field: string }) => f.field), ['diskOnly']);
    assert.match(refused.json().error.message, /vda is raw/);
    const taken = await call('POST', `${rawGuest}/snapshots`, { name: 'outside', diskOnly: true });
    assert.equal(taken.status, 201, taken.text);
    const { snapshot, quiesced } = taken.json();
    assert.deepEqual([snapshot.name, snapshot.location, snapshot.withMemory, quiesced], ['outside', 'external', false, false]);
  });

  test('bad input is refused by field: a bad name, quiesce without diskOnly, the domain in the body', async () => {
    const cases: Array<[unknown, string]> = [
      [{ name: '../etc' }, 'name'], [{ name: '' }, 'name'], [{ quiesce: true }, 'quiesce'], [{ domain: 'x' }, 'domain'], [{ diskOnly: 'yes' }, 'diskOnly'],
    ];
    for (const [body, field] of cases) {
      const res = await call('POST', `${guest}/snapshots`, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.json().error.fields[0].field, field, JSON.stringify(body));
    }
    assert.equal((await call('GET', `${guest}/snapshots/no-such`)).status, 404);
    assert.equal((await call('GET', `no-such-guest/snapshots`)).status, 404);
  });

  test('a running guest on qcow2: snapshot, write a file over the console, revert, the file is gone', async () => {
    const lv = t.deps.libvirt;
    dom = await lv.start(dom);
    let console = terminal(await lv.openConsole(dom, null));
    await console.typeUntil('echo up-$((20+1))', /up-21/, BOOT_MS);
    const created = await call('POST', `${guest}/snapshots`, { name: 'clean', description: 'before the marker' });
    assert.equal(created.status, 201, created.text);
    const { snapshot } = created.json();
    assert.deepEqual([snapshot.location, snapshot.withMemory, snapshot.state, snapshot.current, snapshot.description], ['internal', true, 'running', true, 'before the marker']);
    await console.typeUntil('echo marked > /gvh-marker; cat /gvh-marker', /^marked/m, 30_000);
    const reverted = await call('POST', `${guest}/snapshots/clean/revert`, {});
    assert.equal(reverted.status, 200, reverted.text);
    assert.equal(reverted.json().state, 'running');
    console = terminal(await lv.openConsole(dom, null, ConsoleFlags.FORCE));
    await console.typeUntil('test -e /gvh-marker && echo still-$((1+1)) || echo gone-$((1+1))', /(gone|still)-2/, 60_000);
    assert.match(console.text(), /gone-2/);
    assert.doesNotMatch(console.text(), /still-2/);
  });

  test('the tree: a child of the current snapshot, its XML, and deletes that move children up', async () => {
    assert.equal((await call('POST', `${guest}/snapshots`, { name: 'child' })).status, 201);
    let tree: DomainSnapshotTree = (await call('GET', `${guest}/snapshots`)).json();
    assert.deepEqual(tree.snapshots.map((s) => [s.name, s.parent, s.children]), [['clean', null, ['child']], ['child', 'clean', []]]);
    assert.deepEqual([tree.roots, tree.current], [['clean'], 'child']);
    const xml = await call('GET', `${guest}/snapshots/clean/xml`);
    assert.match(xml.type, /xml/);
    assert.match(xml.text, /<name>clean<\/name>/);
    assert.equal((await call('DELETE', `${guest}/snapshots/clean`)).status, 200);
    tree = (await call('GET', `${guest}/snapshots`)).json();
    assert.deepEqual(tree.snapshots.map((s) => [s.name, s.parent]), [['child', null]]);
    assert.equal((await call('DELETE', `${guest}/snapshots/child?children=true`)).status, 200);
    assert.deepEqual((await call('GET', `${guest}/snapshots`)).json().snapshots, []);
  });

  test('each step is in the audit log with its outcome', async () => {
    const res = await t.app.request(`/v1/history?domain=${guest}&limit=50`);
    const rows = ((await res.json()) as { records: Array<{ action: string; outcome: string; result: { snapshot?: string } | null }> }).records;
    const seen = rows.filter((r) => r.action.startsWith('domain-snapshot-') && r.outcome === 'succeeded').map((r) => `${r.action}:${r.result?.snapshot}`).reverse();
    assert.deepEqual(seen, [
      'domain-snapshot-create:clean', 'domain-snapshot-revert:clean', 'domain-snapshot-create:child',
      'domain-snapshot-delete:clean', 'domain-snapshot-delete:child',
    ]);
    assert.ok(rows.some((r) => r.action === 'domain-snapshot-create' && r.outcome === 'rejected'), 'the refused creates are recorded');
  });
});
