/// <reference lib="dom" />
/**
 * The dashboard where the agent has tokens, in Chromium: the login form, the session cookie (for
 * the browser session only, out of scripts' reach), a viewer who sees no action buttons and may not
 * act, an operator who sees them, and forged requests refused. Runs on the test driver's host.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { buildTestApp, type TestApp } from '../support/app.ts';
import { launchBrowser, screenshot } from '../support/browser.ts';
import { serveOnLoopback, type Served } from '../support/served.ts';
import { call } from '../support/http.ts';

describe('the dashboard with tokens, in Chromium', () => {
  let t: TestApp;
  let served: Served;
  let browser: Browser;

  before(async () => {
    t = await buildTestApp({ withTokens: true });
    served = await serveOnLoopback(t);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await served?.close();
    await t?.close();
  });

  /** A fresh browser session signed in with `token` (through the form). */
  async function signIn(token: string): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${served.url}/ui`);
    await page.getByLabel('Access token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${served.url}/ui`);
    return { context, page };
  }

  test('without a session the pages ask for a token; a wrong one is refused', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      const res = await page.goto(`${served.url}/ui/history`);
      assert.equal(res?.status(), 401);
      assert.equal(await page.locator('#domains, #history').count(), 0, 'nothing of the host is shown');
      await screenshot(page, 'login');
      await page.getByLabel('Access token').fill('gvh_not-a-token');
      await page.getByRole('button', { name: 'Sign in' }).click();
      assert.match(await page.locator('#login-error').textContent() ?? '', /not valid/);
      assert.equal((await context.cookies()).length, 0);
      for (const path of ['/ui', '/ui/domains/test', '/ui/history.csv']) assert.equal((await call(t, 'GET', path)).status, 401, path);
    } finally {
      await context.close();
    }
  });

  test('a viewer sees the domains but no action buttons, and may not act', async () => {
    const { context, page } = await signIn(t.tokens.viewer!);
    try {
      assert.deepEqual(await page.locator('#domains tbody tr').evaluateAll((rs) => rs.map((r) => (r as HTMLElement).dataset.domain)), ['test']);
      assert.equal(await page.locator('button[data-action]').count(), 0);
      assert.equal(await page.locator('#row-template').evaluate((tpl) => (tpl as HTMLTemplateElement).content.querySelectorAll('button').length), 0);
      assert.match(await page.locator('.who').textContent() ?? '', /test-viewer \(viewer\)/);
      // The event stream authenticates with the session cookie (EventSource sends no headers).
      await page.locator('#live-status', { hasText: 'Live:' }).waitFor({ timeout: 5_000 });
      const status = await page.evaluate(async () => (await fetch('/ui/api/domains/test/actions/suspend', {
        method: 'POST', headers: { 'content-type': 'application/json', 'x-gvh-ui': '1' }, body: '{}',
      })).json());
      assert.equal(status.error.code, 'FORBIDDEN');
    } finally {
      await context.close();
    }
  });

  test('the session cookie holds for this browser session only and is out of scripts\' reach', async () => {
    const { context, page } = await signIn(t.tokens.operator!);
    try {
      const [cookie, ...others] = await context.cookies();
      assert.equal(others.length, 0);
      assert.equal(cookie?.httpOnly, true);
      assert.equal(cookie?.sameSite, 'Strict');
      assert.equal(cookie?.path, '/ui');
      assert.equal(cookie?.expires, -1, 'a session cookie: no Max-Age, no Expires');
      assert.equal(await page.evaluate(() => document.cookie), '');
      assert.ok((await page.locator('button[data-action="destroy"]').count()) >= 1, 'an operator sees the buttons');
      // Without the UI header (as a form on another site would post), a mutation is refused.
      const forged = await page.evaluate(async () => (await fetch('/ui/api/domains/test/actions/suspend', { method: 'POST', body: '{}' })).status);
      assert.equal(forged, 403);
      assert.equal((await call(t, 'POST', '/ui/login', 'token=x', { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://evil.example' })).status, 403);
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(`${served.url}/ui/login`);
      assert.equal((await context.cookies()).length, 0);
    } finally {
      await context.close();
    }
  });
});
