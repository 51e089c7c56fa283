/**
 * The Prometheus files the fleet uses (wrangler-free-deploy/prometheus/): promtool accepts the
 * rules and the scrape job, the rules' unit tests pass, and a rule changed behind their back makes
 * them fail (so they test something).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../support/process.ts';

const run = promisify(execFile);
const DIR = path.join(REPO_ROOT, 'wrangler-free-deploy', 'prometheus');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'gvh-promtool-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

const promtool = (...args: string[]) => run('promtool', args, { cwd: scratch, timeout: 60_000 });

test('promtool checks the rules and a prometheus.yml made of the shipped scrape job', async () => {
  const rules = await promtool('check', 'rules', path.join(DIR, 'govirthost.rules.yml'));
  assert.match(rules.stdout, /SUCCESS: 8 rules found/);
  const job = fs.readFileSync(path.join(DIR, 'scrape.yml'), 'utf8').replace(/^(?!#)/gm, '  ');
  fs.writeFileSync(path.join(scratch, 'prometheus.yml'), `rule_files: [${path.join(DIR, 'govirthost.rules.yml')}]\nscrape_configs:\n${job}`);
  const config = await promtool('check', 'config', 'prometheus.yml');
  assert.match(config.stdout, /SUCCESS/);
});

test('the rules pass their unit tests', async () => {
  const { stdout } = await promtool('test', 'rules', path.join(DIR, 'govirthost.rules.test.yml'));
  assert.match(stdout, /SUCCESS/);
});

test('the unit tests catch a changed rule', async () => {
  const changed = fs.readFileSync(path.join(DIR, 'govirthost.rules.yml'), 'utf8').replace("expr: up{job=\"govirthost\"} == 0\n        for: 1m", "expr: up{job=\"govirthost\"} == 0\n        for: 5m");
  fs.writeFileSync(path.join(scratch, 'govirthost.rules.yml'), changed);
  fs.copyFileSync(path.join(DIR, 'govirthost.rules.test.yml'), path.join(scratch, 'govirthost.rules.test.yml'));
  await assert.rejects(promtool('test', 'rules', 'govirthost.rules.test.yml'), /FAILED/);
});
