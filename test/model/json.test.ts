/** Go-compatible JSON: the fast path without a replacer writes the same bytes as the general one. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { goJson, goJsonPlain } from '../../src/model/json.ts';

const seedDomain = fc.record({
  domain: fc.record({ Name: fc.string({ unit: 'binary' }), UUID: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 16, maxLength: 16 }), ID: fc.integer({ min: -1, max: 1 << 30 }) }),
  state: fc.constantFrom('running', 'shut off', 'paused', '<&>\u2028\u2029'),
});

test('goJsonPlain equals goJson for values with no bigint and no byte array', () => {
  fc.assert(fc.property(fc.array(seedDomain, { maxLength: 20 }), (domains) => {
    assert.equal(goJsonPlain({ domains }), goJson({ domains }));
  }));
});

test('both escape what Go escapes', () => {
  const text = goJsonPlain({ Name: '<a & b>\u2028\u2029' });
  assert.equal(text, '{"Name":"\\u003ca \\u0026 b\\u003e\\u2028\\u2029"}');
  assert.equal(goJson({ Name: '<a & b>\u2028\u2029' }), text);
});
