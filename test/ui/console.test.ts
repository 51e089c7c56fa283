/**
 * The dashboard's console in Chromium, on a real Linux guest: the domain page opens the terminal
 * (xterm.js served by the agent), a command typed into it runs and its output shows; a session
 * taken over from the API closes the page's session with the reason shown under the terminal.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import WebSocket from 'ws';
import { buildTestApp, type TestApp } from '../support/app.ts';
import { launchBrowser, screenshot } from '../support/browser.ts';
import { NET_PREFIX, ensureNetwork, freeAddress } from '../support/guest-infra.ts';
import { tinyGuestXml, uniqueName } from '../support/guest.ts';
import { removeDomain } from '../support/hosts.ts';
import { linuxGuestImage, linuxGuestXml } from '../support/linux-guest.ts';
import { serveOnLoopback, type Served } from '../support/served.ts';
import { sleep } from '../support/wait.ts';

const BOOT_MS = 120_000;

describe('the console in the dashboard, in Chromium', () => {
  let t: TestApp;
  let served: Served;
  let browser: Browser;
  let page: Page;
  const name = uniqueName('uiconsole');
  const withScreen = uniqueName('uiscreen');

  const screenText = () => page.locator('#terminal .xterm-rows').innerText();

  /** Types `line` into the page's terminal until its screen shows `expect` (the guest may still boot). */
  async function typeUntil(line: string, expect: RegExp, timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      await page.locator('#terminal').click();
      await page.keyboard.type(line);
      await page.keyboard.press('Enter');
      for (let i = 0; i < 20; i++) {
        if (expect.test(await screenText())) return;
        await sleep(100);
      }
    }
    throw new Error(`the terminal never showed ${expect}; it showed:\n${await screenText()}`);
  }

  before(async () => {
    t = await buildTestApp({ uriVar: 'GVH_A_URI' });
    const lv = t.deps.libvirt;
    const net = await ensureNetwork(lv, 'default', 'gvhbr0', NET_PREFIX);
    const dom = await lv.defineXml(linuxGuestXml(name, { image: await linuxGuestImage(), mac: (await freeAddress(lv, net)).mac }));
    await lv.start(dom);
    const screenXml = tinyGuestXml(withScreen).replace("<memballoon model='none'/>", "<graphics type='vnc' autoport='yes' listen='127.0.0.1'/><video><model type='vga'/></video><memballoon model='none'/>");
    await lv.start(await lv.defineXml(screenXml));
    served = await serveOnLoopback(t);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  });
  after(async () => {
    await browser?.close();
    await served?.close();
    await removeDomain(t.deps.libvirt, name);
    await removeDomain(t.deps.libvirt, withScreen);
    await t?.close();
  });

  test('the terminal opens, and a command typed into it runs', async () => {
    await page.goto(`${served.url}/ui/domains/${name}`);
    await page.locator('#console-open').click();
    await page.locator('#console-status', { hasText: 'Connected' }).waitFor({ timeout: 10_000 });
    await typeUntil('echo ui-$((5*5))', /ui-25/, BOOT_MS);
    await screenshot(page, 'console');
  });

  test('a session that takes over from the API closes the page\'s, and the page says why', async () => {
    const taker = new WebSocket(`${served.url.replace('http', 'ws')}/v1/domains/${name}/console?force=true`);
    await new Promise((resolve, reject) => { taker.on('open', resolve); taker.on('error', reject); });
    await page.locator('#console-status', { hasText: 'another session took the console over' }).waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('#console-open').isEnabled(), true, 'the page can open it again');
    taker.close();
    await new Promise((resolve) => taker.on('close', resolve));
  });

  test('refused to open (another session holds it), the page says what to do', async () => {
    // force: the session test 2 opened may still be letting go of the console
    const holder = new WebSocket(`${served.url.replace('http', 'ws')}/v1/domains/${name}/console?force=true`);
    await new Promise((resolve, reject) => { holder.on('open', resolve); holder.on('error', reject); });
    await page.locator('#console-open').click();
    await page.locator('#console-status', { hasText: 'Take over' }).waitFor({ timeout: 10_000 });
    await page.locator('#console-force').check();
    await page.locator('#console-open').click();
    await page.locator('#console-status', { hasText: 'Connected' }).waitFor({ timeout: 10_000 });
    holder.close();
  });

  test('the overview shows a screen thumbnail of a running guest that has a screen, and none for one without', async () => {
    await page.goto(`${served.url}/ui`);
    const thumb = page.locator(`#domains tr[data-domain="${withScreen}"] img.thumb`);
    await page.waitForFunction((sel) => { const img = document.querySelector(sel) as HTMLImageElement | null; return img !== null && img.complete && img.naturalWidth > 0; },
      `#domains tr[data-domain="${withScreen}"] img.thumb`, { timeout: 10_000 });
    assert.equal(await thumb.isVisible(), true);
    await page.waitForFunction((sel) => (document.querySelector(sel) as HTMLImageElement | null)?.hidden === true,
      `#domains tr[data-domain="${name}"] img.thumb`, { timeout: 10_000 });
    assert.equal(await page.locator(`#domains tr[data-domain="${name}"] img.thumb`).isVisible(), false, 'no broken image for a guest without a screen');
    await screenshot(page, 'overview-thumbnails');
  });
});
