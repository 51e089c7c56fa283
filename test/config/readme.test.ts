import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { SETTINGS } from '../../src/config/index.ts';

test('the README documents every setting with its flag and environment variable', () => {
  const readme = fs.readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const table = readme.slice(readme.indexOf('### Configuration'));
  for (const s of SETTINGS) {
    assert.ok(table.includes(`\`--${s.name}`), `README lacks --${s.name}`);
    assert.ok(table.includes(s.env), `README lacks ${s.env}`);
  }
});
