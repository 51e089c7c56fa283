/**
 * test/hosts/guest-suites.txt, the files scripts/test-all.sh reruns with TCG forced, holds exactly the
 * test files that start QEMU guests of the suite's virt type: those that call tinyGuestXml or
 * linuxGuestXml, or use the guest infrastructure. A new guest suite missing from the list would go
 * untested under TCG.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../support/process.ts';

const LIST = 'test/hosts/guest-suites.txt';
const STARTS_GUESTS = /\btinyGuestXml\(|\blinuxGuestXml\(|support\/guest-infra\.ts/;

/** The repository-relative paths of every test file. */
function testFiles(): string[] {
  return fs.readdirSync(path.join(REPO_ROOT, 'test'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => `test/${f}`)
    .sort();
}

/** The list's entries: every line but comments and blank ones. */
function listed(): string[] {
  return fs.readFileSync(path.join(REPO_ROOT, LIST), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
}

describe(LIST, () => {
  test('names exactly the test files that start QEMU guests, sorted, each once', () => {
    const starting = testFiles().filter((f) => STARTS_GUESTS.test(fs.readFileSync(path.join(REPO_ROOT, f), 'utf8')));
    assert.ok(starting.length > 0);
    assert.deepEqual(listed(), starting);
  });
});
