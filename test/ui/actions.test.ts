/** Which row buttons the dashboard enables in which domain state. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { actionEnabled } from '../../src/ui/overview.tsx';

const ACTIONS = ['start', 'reboot', 'suspend', 'resume', 'shutdown', 'reset', 'destroy'];
const enabled = (state: string) => ACTIONS.filter((a) => actionEnabled(a, state));

test('each known state enables only what can work in it', () => {
  assert.deepEqual(enabled('shut off'), ['start']);
  assert.deepEqual(enabled('running'), ['reboot', 'suspend', 'shutdown', 'reset', 'destroy']);
  assert.deepEqual(enabled('paused'), ['resume', 'shutdown', 'reset', 'destroy']);
  assert.deepEqual(enabled('crashed'), ['start', 'destroy']);
  assert.deepEqual(enabled('pmsuspended'), ['destroy']);
});

test('a state the agent does not know yet leaves every button enabled', () => {
  assert.deepEqual(enabled(''), ACTIONS);
  assert.deepEqual(enabled('no state'), ACTIONS);
});
