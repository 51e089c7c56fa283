/**
 * Snapshots on the dashboard's domain page, in Chromium: take one from the form, see it in the
 * tree, revert and delete it through the confirm dialog (a dismissed dialog does nothing).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { buildTestApp, type TestApp } from '../support/app.ts';
import { launchBrowser, screenshot } from '../support/browser.ts';
import { ensureGuestInfra, makeBaseImage } from '../support/guest-infra.ts';
import { tinyGuestXml, uniqueName } from '../support/guest.ts';
import { removeDomain } from '../support/hosts.ts';
import { serveOnLoopback, type Served } from '../support/served.ts';

describe('snapshots on the domain page, in Chromium', () => {
  let t: TestApp;
  let served: Served;
  let browser: Browser;
  let page: Page;
  const name = uniqueName('uisnap');
  const dialogs: string[] = [];
  let answer = true;

  const treeNames = () => page.locator('#snapshots li[data-snapshot]').evaluateAll((items) => items.map((i) => (i as HTMLElement).dataset.snapshot));
  const snapshotsInLibvirt = async () => (await t.deps.libvirt.listSnapshots(await t.deps.libvirt.lookupDomain(name))).map((s) => s.name);

  before(async () => {
    t = await buildTestApp({ uriVar: 'GVH_A_URI' });
    await ensureGuestInfra(t.deps.libvirt, 'a');
    const disk = await makeBaseImage(t.deps.libvirt, 'a', `${name}.qcow2`, 16);
    const xml = tinyGuestXml(name).replace('<controller', `<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='${disk}'/><target dev='vda' bus='virtio'/></disk><controller`);
    await t.deps.libvirt.defineXml(xml);
    served = await serveOnLoopback(t);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    page.on('dialog', (d) => { dialogs.push(d.message()); void (answer ? d.accept() : d.dismiss()); });
  });
  after(async () => {
    await browser?.close();
    await served?.close();
    await removeDomain(t.deps.libvirt, name);
    await t?.close();
  });

  test('the form takes a snapshot, and the tree shows it as current', async () => {
    await page.goto(`${served.url}/ui/domains/${name}`);
    await page.locator('#snapshots', { hasText: 'No snapshots.' }).waitFor();
    await page.fill('#snapshot-form input[name=name]', 'from-the-page');
    await page.fill('#snapshot-form input[name=description]', 'taken in Chromium');
    await Promise.all([page.waitForEvent('load'), page.click('#snapshot-form button[type=submit]')]);
    assert.deepEqual(await treeNames(), ['from-the-page']);
    assert.match(await page.locator('#snapshots li[data-snapshot="from-the-page"]').innerText(), /\(current\)[\s\S]*taken in Chromium/);
    assert.deepEqual(await snapshotsInLibvirt(), ['from-the-page']);
  });

  test('revert asks first, then reverts', async () => {
    await Promise.all([page.waitForEvent('load'), page.click('#snapshots button[data-snapshot-action=revert][data-name="from-the-page"]')]);
    assert.match(dialogs.at(-1)!, /Revert .* to snapshot from-the-page\? Everything written since/);
    const res = await t.app.request(`/v1/history?domain=${name}&action=domain-snapshot-revert`);
    assert.equal(((await res.json()) as { records: Array<{ outcome: string }> }).records[0]?.outcome, 'succeeded');
  });

  test('delete asks first: dismissed, nothing happens; accepted, the snapshot is gone', async () => {
    answer = false;
    await page.click('#snapshots button[data-snapshot-action=delete][data-name="from-the-page"]');
    assert.match(dialogs.at(-1)!, /Delete snapshot from-the-page\?/);
    assert.deepEqual(await snapshotsInLibvirt(), ['from-the-page']);
    answer = true;
    await Promise.all([page.waitForEvent('load'), page.click('#snapshots button[data-snapshot-action=delete][data-name="from-the-page"]')]);
    await page.locator('#snapshots', { hasText: 'No snapshots.' }).waitFor();
    assert.deepEqual(await snapshotsInLibvirt(), []);
    await screenshot(page, 'snapshots');
  });

  test('a refusal is shown with its reason (a snapshot name already taken)', async () => {
    await Promise.all([page.waitForEvent('load'), (async () => { await page.fill('#snapshot-form input[name=name]', 'twice'); await page.click('#snapshot-form button[type=submit]'); })()]);
    await page.fill('#snapshot-form input[name=name]', 'twice');
    await page.click('#snapshot-form button[type=submit]');
    await page.locator('#snapshot-result.error').waitFor();
    assert.match(await page.locator('#snapshot-result').innerText(), /twice/);
  });
});
