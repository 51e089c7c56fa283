/** The event-stream parser: events whole whatever the chunking, comments skipped, ids kept. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SseParser } from '../../src/cli/sse.ts';

const STREAM = ': keepalive\n\ndata: {"a":1}\nid: e-1\n\ndata: one\r\ndata: two\r\n\r\nid: e-3\ndata:x\n\n: trailing comment\n';
const EVENTS = [{ id: 'e-1', data: '{"a":1}' }, { id: 'e-1', data: 'one\ntwo' }, { id: 'e-3', data: 'x' }];

test('a stream in one chunk gives its events in order, comments skipped, multi-line data joined', () => {
  assert.deepEqual(new SseParser().push(STREAM), EVENTS);
});

test('split at every offset, or in random pieces, the same events come out', () => {
  for (let i = 0; i <= STREAM.length; i++) {
    const p = new SseParser();
    assert.deepEqual([...p.push(STREAM.slice(0, i)), ...p.push(STREAM.slice(i))], EVENTS, `split at ${i}`);
  }
  fc.assert(fc.property(fc.array(fc.nat(STREAM.length), { maxLength: 12 }), (cuts) => {
    const points = [...new Set(cuts)].sort((x, y) => x - y);
    const p = new SseParser();
    const out = [0, ...points].flatMap((start, k) => p.push(STREAM.slice(start, points[k] ?? STREAM.length)));
    assert.deepEqual(out, EVENTS);
  }));
});

test('an event is not given before its blank line', () => {
  const p = new SseParser();
  assert.deepEqual(p.push('data: half'), []);
  assert.deepEqual(p.push('\n'), []);
  assert.deepEqual(p.push('\n'), [{ id: null, data: 'half' }]);
});
