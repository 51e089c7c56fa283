/** The client's text: sizes, durations, tables, each operation's progress and ending. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeProgress, formatDuration, operationEnding, table } from '../../src/cli/format.ts';
import { formatBytes } from '../../src/model/units.ts';
import type { OperationView } from '../../src/operations/view.ts';

test('sizes and durations read as people write them', () => {
  assert.deepEqual([0, 1023, 1024, 5.5 * 1024 ** 2, 3 * 1024 ** 4].map(formatBytes), ['0 B', '1023 B', '1.0 KiB', '5.5 MiB', '3.0 TiB']);
  assert.deepEqual([850, 12_345, 245_000].map(formatDuration), ['850 ms', '12.3 s', '4 min 5 s']);
});

test('a table pads each column to its widest cell', () => {
  assert.equal(table(['A', 'BB'], [['long', 'x'], ['y', 'zzz']]), 'A     BB\nlong  x\ny     zzz\n');
});

test('progress of a migration, a shutdown, a create and anything else', () => {
  assert.deepEqual(describeProgress({ phase: 'memory', percent: 40, dataProcessed: 4 * 1024 ** 2, dataTotal: 10 * 1024 ** 2, dataRemaining: 6 * 1024 ** 2, memoryBps: 1024 ** 2 }),
    { percent: 40, text: 'memory, 4.0 MiB of 10.0 MiB, 1.0 MiB/s, 6.0 MiB left' });
  assert.deepEqual(describeProgress({ waitedSeconds: 12, remainingSeconds: 108, percent: 10 }), { percent: 10, text: 'waited 12 s, 108 s left' });
  assert.deepEqual(describeProgress({ step: 2, of: 3, current: 'start', percent: 33 }), { percent: 33, text: 'step 2 of 3: start' });
  assert.deepEqual(describeProgress({ copied: 3 }), { percent: null, text: 'copied=3' });
  assert.deepEqual(describeProgress(null), { percent: null, text: '' });
});

test('an ending names the operation, how long it took and why it failed', () => {
  const base = { action: 'migrate', domain: 'web1', target: 'host-b', durationMs: 3200, result: null, error: null } as unknown as OperationView;
  assert.equal(operationEnding({ ...base, status: 'succeeded', result: { state: 'running' } }), 'migrate web1 to host-b: succeeded in 3.2 s: running');
  assert.equal(operationEnding({ ...base, status: 'failed', error: { code: 'DOMAIN_BUSY', message: 'busy' } }), 'migrate web1 to host-b: failed in 3.2 s: DOMAIN_BUSY: busy');
});
