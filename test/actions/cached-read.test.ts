/** Cache-Control request directives as a read policy. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fromCacheControl } from '../../src/http/read-policy.ts';

describe('fromCacheControl', () => {
  test('no-cache and no-store ask for fresh; max-age=N for a snapshot at most N s old', () => {
    assert.deepEqual(fromCacheControl('no-cache'), { source: 'fresh' });
    assert.deepEqual(fromCacheControl('No-Store'), { source: 'fresh' });
    assert.deepEqual(fromCacheControl('max-age=60'), { maxAgeMs: 60_000 });
    assert.deepEqual(fromCacheControl('max-age="5"'), { maxAgeMs: 5000 });
    assert.deepEqual(fromCacheControl('public, max-age=0'), { maxAgeMs: 0 });
    assert.deepEqual(fromCacheControl('max-age=30, no-cache'), { source: 'fresh' }, 'no-cache wins');
  });

  test('nothing, or directives that say nothing about age, leave the default', () => {
    for (const h of [undefined, '', 'public', 'max-age=', 'max-age=-1', 'max-age=abc', 'max-stale=10', 's-maxage=10']) {
      assert.deepEqual(fromCacheControl(h), {}, String(h));
    }
  });
});
