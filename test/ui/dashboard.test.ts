/// <reference lib="dom" />
/**
 * The dashboard in a real browser (Debian's Chromium through playwright-core) against the agent on
 * the private libvirtd with real QEMU guests: the overview lists what libvirt has, follows a guest
 * started behind the agent's back without a reload, stops a guest from the page, draws its charts
 * from the snapshots, and the domain and history pages show what happened. Screenshots go to
 * test-artifacts/.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import type { DomainRef, Libvirt } from '../../src/libvirt/index.ts';
import { TEST_BACKGROUND, buildTestApp, type TestApp } from '../support/app.ts';
import { launchBrowser, screenshot } from '../support/browser.ts';
import { tinyGuestXml, uniqueName } from '../support/guest.ts';
import { openHost } from '../support/hosts.ts';
import { waitUntil } from '../support/wait.ts';
import { serveOnLoopback, type Served } from '../support/served.ts';
import { call, removeDomain } from '../support/http.ts';

/** The bound for an event to reach the row, with a little headroom for a shared 2-core machine. */
const ROW_BOUND_MS = 2_500;

describe('the dashboard in Chromium, on QEMU guests', () => {
  let t: TestApp;
  let served: Served;
  let browser: Browser;
  let page: Page;
  let outside: Libvirt; // a second libvirt client: changes the agent did not make
  const running = uniqueName('uirun');
  const stopped = uniqueName('uioff');
  let stoppedDom: DomainRef;

  before(async () => {
    t = await buildTestApp({ uriVar: 'GVH_A_URI', background: TEST_BACKGROUND });
    outside = await openHost('GVH_A_URI');
    const dom = await outside.defineXml(tinyGuestXml(running));
    await outside.start(dom);
    stoppedDom = await outside.defineXml(tinyGuestXml(stopped));
    served = await serveOnLoopback(t);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // Snapshots every second (TEST_BACKGROUND): wait for a few, so the charts have lines.
    await waitUntil(() => t.deps.inventory.snapshots.list({ limit: 5, withDomains: false }).snapshots.filter((s) => s.ok).length >= 3, 15_000);
  });
  after(async () => {
    await browser?.close();
    await served?.close();
    await removeDomain(t, running);
    await removeDomain(t, stopped);
    await outside?.close();
    await t?.close();
  });

  const rowNames = () => page.locator('#domains tbody tr').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.domain ?? ''));
  const rowState = (name: string) => page.locator(`#domains tbody tr[data-domain="${name}"]`).getAttribute('data-state');
  const enabledActions = (name: string) => page.locator(`#domains tbody tr[data-domain="${name}"] button[data-action]:not([disabled])`)
    .evaluateAll((buttons) => buttons.map((b) => (b as HTMLElement).dataset.action ?? ''));

  test('the overview lists exactly the guests libvirt has, with their states', async () => {
    await page.goto(`${served.url}/ui`);
    const fromLibvirt = await outside.listDomainStates();
    assert.deepEqual(await rowNames(), fromLibvirt.map((d) => d.domain.name).sort());
    for (const d of fromLibvirt) assert.equal(await rowState(d.domain.name), d.stateText, d.domain.name);
    assert.ok(fromLibvirt.some((d) => d.domain.name === running) && fromLibvirt.some((d) => d.domain.name === stopped));
    assert.deepEqual(await enabledActions(stopped), ['start'], 'a shut-off guest can only be started');
    assert.deepEqual(await enabledActions(running), ['reboot', 'suspend', 'shutdown', 'reset', 'destroy'], 'a running guest cannot be started or resumed');
    await page.locator('#live-status', { hasText: 'Live:' }).waitFor();
    await screenshot(page, 'overview');
  });

  test('a guest started with libvirt outside the agent changes its row within 2 s, without a reload', async (ctx) => {
    await page.locator('#live-status', { hasText: 'Live:' }).waitFor();
    assert.equal(await rowState(stopped), 'shut off');
    await page.evaluate((name) => {
      const w = window as unknown as { notReloaded: boolean; runningAt?: number };
      w.notReloaded = true;
      const row = document.querySelector(`#domains tbody tr[data-domain="${name}"]`)!;
      new MutationObserver(() => {
        if ((row as HTMLElement).dataset.state === 'running' && w.runningAt === undefined) w.runningAt = Date.now();
      }).observe(row, { attributes: true, subtree: true, characterData: true, childList: true });
    }, stopped);
    const began = Date.now();
    stoppedDom = await outside.start(stoppedDom);
    const returned = Date.now();
    await page.waitForFunction(() => (window as unknown as { runningAt?: number }).runningAt !== undefined, undefined, { timeout: 10_000 });
    const runningAt = await page.evaluate(() => (window as unknown as { runningAt: number }).runningAt);
    ctx.diagnostic(`row said running ${runningAt - began} ms after libvirt's start was called (the call took ${returned - began} ms; the row changed ${runningAt - returned} ms after it returned)`);
    assert.ok(runningAt - began < ROW_BOUND_MS, `row changed ${runningAt - began} ms after the start was called`);
    assert.equal(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded), true, 'the page was not reloaded');
    await page.locator(`#domains tbody tr[data-domain="${stopped}"] .reason`, { hasText: '(booted)' }).waitFor({ timeout: 5_000 });
    assert.deepEqual(await enabledActions(stopped), ['reboot', 'suspend', 'shutdown', 'reset', 'destroy'], 'its buttons follow the new state');
  });

  test('a running operation appears live with its progress bar and Cancel; its row says what runs; Cancel ends it', async () => {
    await page.goto(`${served.url}/ui`);
    const started = await call(t, 'POST', `/v1/domains/${running}/actions/shutdown`, { wait: 120 }, { prefer: 'respond-async' });
    assert.equal(started.status, 202, started.text);
    const item = page.locator(`#operations li[data-operation="${started.body.id}"]`);
    await item.locator('.op-progress', { hasText: /s left/ }).waitFor({ timeout: ROW_BOUND_MS * 2 });
    assert.match(await item.locator('.op-title').textContent() ?? '', new RegExp(`shutdown ${running}`));
    assert.ok(Number(await item.locator('progress').getAttribute('value')) >= 0);
    const rowResult = page.locator(`#domains tbody tr[data-domain="${running}"] [data-col="result"]`);
    assert.match(await rowResult.textContent() ?? '', new RegExp(`shutdown: waited \\d+ s, \\d+ s left · operation #${started.body.id}`));
    await screenshot(page, 'overview-running-operation');
    page.once('dialog', (d) => { void d.accept(); });
    await item.locator('button[data-cancel]').click();
    await item.waitFor({ state: 'detached', timeout: ROW_BOUND_MS * 2 });
    assert.equal(t.deps.audit.get(started.body.id)?.outcome, 'canceled');
    assert.equal(await rowState(running), 'running', 'the guest is untouched');
  });

  test('shutdown with force from the page stops the guest; the answer, its audit record and its history row appear', async () => {
    const row = page.locator(`#domains tbody tr[data-domain="${running}"]`);
    await row.locator('[data-field="wait"]').fill('1');
    await row.locator('[data-field="force"]').check();
    const dialogs: string[] = [];
    page.once('dialog', (d) => { dialogs.push(d.message()); void d.accept(); });
    await row.locator('button[data-action="shutdown"]').click();
    assert.equal(dialogs.length, 1, 'a forced shutdown asks first');
    assert.match(dialogs[0]!, new RegExp(`Shut down ${running}`));
    assert.deepEqual(await enabledActions(running), [], 'every button is disabled while the action runs');
    const result = row.locator('[data-col="result"]');
    await result.filter({ hasText: 'audit record #' }).waitFor({ timeout: 20_000 });
    assert.match(await result.textContent() ?? '', /^shutdown: shut off \(forced\) · audit record #\d+$/);
    const auditId = Number(await result.getAttribute('data-audit-id'));
    assert.deepEqual(await enabledActions(running), ['start'], 'after the answer the buttons fit the new state');
    await page.waitForFunction((name) => document.querySelector(`#domains tbody tr[data-domain="${name}"]`)?.getAttribute('data-state') === 'shut off', running);
    const [fromLibvirt] = (await outside.listDomainStates()).filter((d) => d.domain.name === running);
    assert.equal(fromLibvirt?.stateText, 'shut off');
    await screenshot(page, 'overview-after-shutdown');

    await page.goto(`${served.url}/ui/history?domain=${running}`);
    const record = page.locator(`#history tbody tr[data-audit-id="${auditId}"]`);
    assert.equal(await record.getAttribute('data-action'), 'shutdown');
    assert.equal(await record.getAttribute('data-outcome'), 'succeeded');
    await record.locator('summary').click();
    assert.match(await record.locator('details').textContent() ?? '', /"force": true/);
    await screenshot(page, 'history');
  });

  test('the charts are drawn from the snapshot data', async () => {
    await page.goto(`${served.url}/ui`);
    const api = await call(t, 'GET', `/v1/snapshots?since=${new Date(Date.now() - 86_400_000).toISOString()}&limit=500`);
    const byId = new Map<number, any>(api.body.snapshots.map((s: any) => [s.id, s]));
    const charts = await page.locator('svg.chart').evaluateAll((svgs) => svgs.map((svg) => ({
      id: svg.id, from: Number(svg.dataset.from), to: Number(svg.dataset.to), max: Number(svg.dataset.max),
      lines: Array.from(svg.querySelectorAll('polyline')).map((l) => ({ series: l.dataset.series!, ids: l.dataset.ids!, times: l.dataset.times!, values: l.dataset.values!, points: l.getAttribute('points')! })),
    })));
    const expected: Record<string, (s: any) => number> = {
      load1: (s) => s.host.sysinfo.Loads[0], load5: (s) => s.host.sysinfo.Loads[1], load15: (s) => s.host.sysinfo.Loads[2],
      'memory-used': (s) => Math.round((s.host.sysinfo.TotalRam - s.host.sysinfo.FreeRam - s.host.sysinfo.BufferRam) / 1024),
    };
    const seen = charts.flatMap((ch) => ch.lines.map((l) => l.series)).sort();
    assert.deepEqual(seen, Object.keys(expected).sort());
    for (const chart of charts) {
      for (const line of chart.lines) {
        const ids = line.ids.split(',').map(Number);
        const times = line.times.split(',').map(Number);
        const values = line.values.split(',').map(Number);
        const points = line.points.split(' ').map((p) => p.split(',').map(Number));
        assert.ok(ids.length >= 3, `${line.series}: ${ids.length} points`);
        assert.equal(points.length, ids.length);
        ids.forEach((id, i) => {
          const snap = byId.get(id);
          assert.ok(snap, `${line.series}: snapshot ${id} is not in /v1/snapshots`);
          assert.equal(times[i], Date.parse(snap.takenAt), `${line.series} #${id} time`);
          assert.equal(values[i], expected[line.series]!(snap), `${line.series} #${id} value`);
          const [x, y] = points[i]!;
          assert.ok(Math.abs(x! - ((times[i]! - chart.from) / (chart.to - chart.from)) * 600) < 0.01, `${line.series} #${id} x`);
          assert.ok(Math.abs(y! - (160 - (values[i]! / chart.max) * 160)) < 0.01, `${line.series} #${id} y`);
        });
        const apiOrder = api.body.snapshots.filter((s: any) => s.ok).map((s: any) => s.id).reverse();
        assert.deepEqual(ids, apiOrder.filter((id: number) => ids.includes(id)), 'oldest first, as in the snapshots');
      }
    }
  });

  test('the domain page draws its states over the snapshot history, shows its XML and its actions', async () => {
    await page.goto(`${served.url}/ui/domains/${running}`);
    const states = await page.locator('#timeline rect').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-state')));
    assert.deepEqual(states.slice(-2), ['running', 'shut off']);
    assert.ok(await page.locator('#timeline line.snapshot').count() >= 3, 'snapshot ticks');
    const xml = await page.locator('#xml').textContent();
    assert.match(xml ?? '', new RegExp(`<name>${running}</name>`));
    assert.equal(await page.locator('#xml *').count(), 0, 'the XML is text, not markup');
    assert.equal(await page.locator('#history tbody tr[data-action="shutdown"]').count(), 2, 'the canceled shutdown and the forced one');
    await screenshot(page, 'domain');
  });

  test('the history page filters, pages, and downloads the filtered records', async () => {
    await page.goto(`${served.url}/ui/history?action=shutdown&outcome=succeeded`);
    const actions = await page.locator('#history tbody tr').evaluateAll((rs) => rs.map((r) => `${r.getAttribute('data-action')}/${r.getAttribute('data-outcome')}`));
    assert.deepEqual(actions, ['shutdown/succeeded']);
    const csv = await page.evaluate(async () => (await fetch(document.querySelector<HTMLAnchorElement>('a[href^="/ui/history.csv"]')!.href)).text());
    const lines = csv.trimEnd().split('\r\n');
    assert.equal(lines[0]?.split(',')[0], 'id');
    assert.equal(lines.length, 2);
    assert.match(lines[1]!, /,shutdown,/);
    assert.match(lines[1]!, /"\{""wait"":1,""force"":true,""domain"":""[^"]+""\}"/, 'JSON in a field is quoted with its quotes doubled');
    const json = await page.evaluate(async () => (await fetch(document.querySelector<HTMLAnchorElement>('a[href^="/ui/history.json"]')!.href)).json());
    assert.equal(json.length, 1);
    assert.equal(json[0].action, 'shutdown');
    await page.goto(`${served.url}/ui/history?limit=1&since=2000-01-01T00:00`);
    assert.ok(await page.locator('#history tbody tr').count() >= 1);
    await page.goto(`${served.url}/ui/history?since=yesterday`);
    assert.match(await page.locator('[role=alert]').textContent() ?? '', /since/);
  });

  test('keyboard: the skip link comes first, focus is visible, the row buttons are reachable', async () => {
    await page.goto(`${served.url}/ui`);
    await page.keyboard.press('Tab');
    const first = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement;
      return { text: el.textContent, outline: getComputedStyle(el).outlineStyle, width: getComputedStyle(el).outlineWidth };
    });
    assert.deepEqual(first, { text: 'Skip to content', outline: 'solid', width: '3px' });
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'main');
    let reached = '';
    for (let i = 0; i < 40 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => (document.activeElement as HTMLElement).dataset.action ?? '');
    }
    const firstEnabled = await page.locator('#domains tbody tr').first().locator('button[data-action]:not([disabled])').first().getAttribute('data-action');
    assert.equal(reached, firstEnabled, 'Tab reaches the first row\'s first enabled action button');
    assert.equal(await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle), 'solid');
  });

  test('at phone width the overview fits the screen', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    try {
      await phone.goto(`${served.url}/ui`);
      await phone.locator('#live-status', { hasText: 'Live:' }).waitFor();
      const width = await phone.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 390, `page is ${width} px wide`);
      assert.equal(await phone.locator(`#domains tbody tr[data-domain="${running}"] button[data-action="start"]`).isVisible(), true);
      await screenshot(phone, 'overview-phone');
    } finally {
      await phone.close();
    }
  });
});
