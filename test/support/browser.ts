/**
 * Debian's Chromium driven by playwright-core for the dashboard's end-to-end tests: headless, no
 * sandbox (the tests run as root), and every flag that keeps it off the network (no background
 * requests, updates, sync or QUIC). Never a browser download: the executable is the system's.
 * Each launch gets a fresh temporary profile from Playwright, removed when the browser closes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Where Debian installs Chromium (scripts/test-all.sh installs the package). */
export const CHROMIUM = '/usr/bin/chromium';

/** Where screenshots go (gitignored). */
export const ARTIFACTS = path.resolve('test-artifacts');

/** Launches Chromium headless, offline. */
export function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (scripts/test-all.sh does)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-default-apps', '--disable-extensions'],
  });
}

/** Saves a full-page screenshot as test-artifacts/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
