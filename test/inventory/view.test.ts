/**
 * The in-memory inventory view, without I/O: snapshots as base, lifecycle events applied at once
 * (QEMU's start and destroy sequences included), snapshots that started before an event, state
 * changes reported with their causes, and the rendered-body memo.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventEffect } from '../../src/inventory/event-state.ts';
import type { StateChange } from '../../src/model/inventory.ts';
import { InventoryView } from '../../src/inventory/view.ts';
import { domainReasonText } from '../../src/libvirt/index.ts';
import { dom, HOST, lifecycle, snapshot } from '../support/inventory.ts';

const RUNNING = 1;
const PAUSED = 3;
const SHUTOFF = 5;

function viewWith(...domains: ReturnType<typeof dom>[]): { view: InventoryView; changes: StateChange[] } {
  const view = new InventoryView();
  const changes: StateChange[] = [];
  view.onStateChange((c) => changes.push(c));
  view.applySnapshot(snapshot(1000, domains));
  return { view, changes };
}

const brief = (c: StateChange) => `${c.domain}: ${c.from} -> ${c.to} (${c.reason}) by ${c.cause.type === 'event' ? c.cause.event : 'snapshot'}`;

describe('InventoryView', () => {
  test('empty until the first snapshot; then the snapshot time, host and domains', () => {
    const view = new InventoryView();
    assert.deepEqual([view.takenAt, view.modifiedAt, view.host, view.list().length], [null, null, null, 0]);
    view.applySnapshot(snapshot(1000, [dom('a', 1, RUNNING, 1), dom('b', 2, SHUTOFF)]));
    assert.deepEqual([view.takenAt, view.modifiedAt, view.host], [1000, 1000, HOST]);
    assert.deepEqual(view.list().map((d) => d.domain.name), ['a', 'b']);
    assert.equal(view.get('b')?.view.stateText, 'shut off');
    assert.equal(view.get('b')?.updatedAt, 1000);
    assert.equal(view.get('nope'), undefined);
  });

  test('the first snapshot reports no changes (nothing to compare with); later ones report what changed', () => {
    const { view, changes } = viewWith(dom('a', 1, RUNNING, 1), dom('b', 2, SHUTOFF));
    assert.equal(changes.length, 0);
    view.applySnapshot(snapshot(2000, [dom('a', 1, PAUSED, 1), dom('c', 3, SHUTOFF)]));
    assert.deepEqual([view.get('a')?.view.stateText, view.get('b'), changes.length], ['paused', undefined, 0], 'the view changes at once; the report waits for events');
    view.settle(3999);
    assert.equal(changes.length, 0);
    view.settle(4000);
    assert.deepEqual(changes.map(brief).sort(), [
      'a: running -> paused (user) by snapshot',
      'b: shut off -> undefined (unknown) by snapshot',
      'c: undefined -> shut off (unknown) by snapshot',
    ]);
    assert.deepEqual(changes.map((c) => c.at), [2000, 2000, 2000]);
  });

  test('seed (a stored snapshot at start) reports nothing, and is the base for the next snapshot', () => {
    const view = new InventoryView();
    const changes: StateChange[] = [];
    view.onStateChange((c) => changes.push(c));
    view.seed(snapshot(500, [dom('a', 1, RUNNING, 1)]));
    assert.deepEqual([view.takenAt, changes.length], [500, 0]);
    view.applySnapshot(snapshot(900, [dom('a', 1, SHUTOFF, 2)]));
    view.settle(Infinity);
    assert.deepEqual(changes.map(brief), ['a: running -> shut off (destroyed) by snapshot']);
  });

  test('QEMU start: RESUMED/unpaused then STARTED/booted is one change, shut off -> running (booted), with the new id', () => {
    const { view, changes } = viewWith(dom('a', 1, SHUTOFF));
    view.applyEvent(lifecycle('a', 1, 'resumed', 'unpaused', 7), 1500);
    assert.equal(view.get('a')?.view.stateText, 'shut off', 'RESUMED alone is the first half of a start');
    view.applyEvent(lifecycle('a', 1, 'started', 'booted', 7), 1501);
    const a = view.get('a')!;
    assert.deepEqual([a.view.stateText, a.view.reasonText, a.view.domain.id, a.view.active, a.updatedAt, a.eventAt], ['running', 'booted', 7, true, 1501, 1501]);
    assert.deepEqual(changes.map(brief), ['a: shut off -> running (booted) by started/booted']);
  });

  test('QEMU destroy: SHUTDOWN/host changes nothing, STOPPED/destroyed -> shut off (destroyed), id -1', () => {
    const { view, changes } = viewWith(dom('a', 1, RUNNING, 1));
    view.applyEvent(lifecycle('a', 1, 'shutdown', 'host', 1), 1500);
    assert.equal(view.get('a')?.view.stateText, 'running');
    view.applyEvent(lifecycle('a', 1, 'stopped', 'destroyed'), 1520);
    const a = view.get('a')!.view;
    assert.deepEqual([a.stateText, a.reasonText, a.domain.id, a.active], ['shut off', 'destroyed', -1, false]);
    assert.deepEqual(changes.map(brief), ['a: running -> shut off (destroyed) by stopped/destroyed']);
  });

  test('suspend and resume; defined adds, undefined removes an inactive domain', () => {
    const { view, changes } = viewWith(dom('a', 1, RUNNING, 1));
    view.applyEvent(lifecycle('a', 1, 'suspended', 'paused', 1), 1100);
    view.applyEvent(lifecycle('a', 1, 'resumed', 'unpaused', 1), 1200);
    view.applyEvent(lifecycle('n', 9, 'defined', 'added'), 1300);
    assert.deepEqual([view.get('n')?.view.stateText, view.get('n')?.view.persistent], ['shut off', true]);
    view.applyEvent(lifecycle('n', 9, 'undefined', 'removed'), 1400);
    assert.equal(view.get('n'), undefined);
    assert.deepEqual(changes.map(brief), [
      'a: running -> paused (user) by suspended/paused',
      'a: paused -> running (unpaused) by resumed/unpaused',
      'n: undefined -> shut off (unknown) by defined/added',
      'n: shut off -> undefined (removed) by undefined/removed',
    ]);
  });

  test('undefining a running domain makes it transient; its stop then removes it', () => {
    const { view, changes } = viewWith(dom('a', 1, RUNNING, 1));
    view.applyEvent(lifecycle('a', 1, 'undefined', 'removed', 1), 1100);
    assert.deepEqual([view.get('a')?.view.stateText, view.get('a')?.view.persistent], ['running', false]);
    view.applyEvent(lifecycle('a', 1, 'shutdown', 'host', 1), 1150);
    view.applyEvent(lifecycle('a', 1, 'stopped', 'destroyed'), 1200);
    assert.equal(view.get('a'), undefined);
    assert.deepEqual(changes.map(brief), ['a: running -> undefined (destroyed) by stopped/destroyed']);
  });

  test('a transient domain created (STARTED for an unknown domain) appears, not persistent', () => {
    const { view, changes } = viewWith();
    view.applyEvent(lifecycle('t', 4, 'started', 'booted', 3), 1100);
    assert.deepEqual([view.get('t')?.view.stateText, view.get('t')?.view.persistent, view.get('t')?.view.vcpus], ['running', false, null]);
    assert.deepEqual(changes.map(brief), ['t: undefined -> running (booted) by started/booted']);
  });

  test('a snapshot that started before an event keeps the event state but takes its figures', () => {
    const { view, changes } = viewWith(dom('a', 1, RUNNING, 1));
    view.applyEvent(lifecycle('a', 1, 'suspended', 'paused', 1), 2000);
    view.applySnapshot(snapshot(1990, [dom('a', 1, RUNNING, 1, { vcpus: 4 })]));
    const a = view.get('a')!;
    assert.deepEqual([a.view.stateText, a.view.vcpus, a.eventAt], ['paused', 4, 2000]);
    view.applySnapshot(snapshot(2100, [dom('a', 1, PAUSED, 1, { vcpus: 4 })]));
    assert.deepEqual([view.get('a')?.eventAt, view.get('a')?.updatedAt], [null, 2100]);
    assert.deepEqual(changes.map(brief), ['a: running -> paused (user) by suspended/paused'], 'no change from either snapshot');
  });

  test('a snapshot that sees a change before its event arrives: reported once, as the event\'s', () => {
    const { view, changes } = viewWith(dom('a', 1, RUNNING, 1), dom('b', 2, SHUTOFF));
    view.applySnapshot(snapshot(2000, [dom('a', 1, SHUTOFF, 2), dom('b', 2, SHUTOFF)]));
    assert.equal(view.get('a')?.view.stateText, 'shut off');
    view.applyEvent(lifecycle('a', 1, 'shutdown', 'host', 1), 2001); // changes nothing: still held
    view.applyEvent(lifecycle('a', 1, 'stopped', 'destroyed'), 2002);
    view.settle(Infinity);
    assert.deepEqual(changes.map(brief), ['a: running -> shut off (destroyed) by stopped/destroyed']);
    assert.equal(changes[0]!.at, 2002);
  });

  test('a held change that an event contradicts is reported as the snapshot\'s, then the event\'s', () => {
    const { view, changes } = viewWith(dom('a', 1, RUNNING, 1));
    view.applySnapshot(snapshot(2000, [dom('a', 1, PAUSED, 1)]));
    view.applyEvent(lifecycle('a', 1, 'resumed', 'unpaused', 1), 2100);
    assert.deepEqual(changes.map(brief), ['a: running -> paused (user) by snapshot', 'a: paused -> running (unpaused) by resumed/unpaused']);
  });

  test('a domain that went away and came back between snapshots, with no event, is no change', () => {
    const { view, changes } = viewWith(dom('a', 1, RUNNING, 1));
    view.applySnapshot(snapshot(2000, []));
    view.applySnapshot(snapshot(2500, [dom('a', 1, RUNNING, 1)]));
    view.settle(Infinity);
    assert.equal(changes.length, 0);
  });

  test('an older snapshot neither brings back a domain an event removed nor drops one an event added', () => {
    const { view } = viewWith(dom('gone', 1, SHUTOFF));
    view.applyEvent(lifecycle('gone', 1, 'undefined', 'removed'), 2000);
    view.applyEvent(lifecycle('new', 2, 'defined', 'added'), 2001);
    view.applySnapshot(snapshot(1990, [dom('gone', 1, SHUTOFF)]));
    assert.deepEqual(view.list().map((d) => d.domain.name), ['new']);
    view.applySnapshot(snapshot(2100, [dom('gone', 1, SHUTOFF), dom('new', 2, SHUTOFF)]));
    assert.deepEqual(view.list().map((d) => d.domain.name).sort(), ['gone', 'new'], 'a newer snapshot is believed');
  });

  test('list() is the same array until the view changes; rendered() runs render once per version', () => {
    const { view } = viewWith(dom('a', 1, RUNNING, 1));
    const first = view.list();
    assert.equal(view.list(), first);
    assert.ok(Object.isFrozen(first));
    let renders = 0;
    const render = () => `body ${++renders}`;
    assert.equal(view.rendered(first, 'k', render).toString(), 'body 1');
    assert.equal(view.rendered(first, 'k', render).toString(), 'body 1');
    assert.equal(view.rendered([...first], 'k', render).toString(), 'body 2', 'a list that is not the current one is rendered, not kept');
    view.applyEvent(lifecycle('a', 1, 'suspended', 'paused', 1), 1100);
    const second = view.list();
    assert.notEqual(second, first);
    assert.equal(view.rendered(first, 'k', render).toString(), 'body 3', 'an old list is not served from the memo');
    assert.equal(view.rendered(second, 'k', render).toString(), 'body 4');
    assert.equal(view.rendered(second, 'k', render).toString(), 'body 4');
    assert.equal(view.modifiedAt, 1100);
  });

  test("the list follows the newest snapshot's order (libvirt's), with domains only events know of after", () => {
    const { view } = viewWith(dom('a', 1, RUNNING, 1), dom('b', 2, SHUTOFF));
    view.applyEvent(lifecycle('c', 3, 'defined', 'added'), 1100);
    assert.deepEqual(view.list().map((d) => d.domain.name), ['a', 'b', 'c']);
    view.applyEvent(lifecycle('d', 4, 'defined', 'added'), 1300);
    view.applySnapshot(snapshot(1200, [dom('b', 2, SHUTOFF), dom('c', 3, SHUTOFF), dom('a', 1, RUNNING, 1)]));
    assert.deepEqual(view.list().map((d) => d.domain.name), ['b', 'c', 'a', 'd']);
  });

  test('events for unknown domains other than DEFINED and STARTED wait for the next snapshot', () => {
    const { view, changes } = viewWith();
    for (const [e, d] of [['suspended', 'paused'], ['resumed', 'unpaused'], ['stopped', 'destroyed'], ['crashed', 'panicked'], ['pmsuspended', 'memory']]) {
      view.applyEvent(lifecycle('x', 5, e!, d!, 2), 1100);
    }
    assert.deepEqual([view.list().length, changes.length], [0, 0]);
  });
});

describe('eventEffect reasons match what virsh prints', () => {
  const cases: Array<[string, string, number, string]> = [
    ['started', 'booted', RUNNING, 'booted'], ['started', 'migrated', RUNNING, 'migrated'], ['started', 'restored', RUNNING, 'restored'],
    ['started', 'from-snapshot', RUNNING, 'from snapshot'], ['started', 'wakeup', RUNNING, 'event wakeup'],
    ['resumed', 'unpaused', RUNNING, 'unpaused'], ['resumed', 'migrated', RUNNING, 'migrated'], ['resumed', 'postcopy', RUNNING, 'post-copy'],
    ['suspended', 'paused', PAUSED, 'user'], ['suspended', 'migrated', PAUSED, 'migrating'], ['suspended', 'ioerror', PAUSED, 'I/O error'],
    ['suspended', 'watchdog', PAUSED, 'watchdog'], ['suspended', 'api-error', PAUSED, 'api error'], ['suspended', 'postcopy-failed', PAUSED, 'post-copy failed'],
    ['stopped', 'shutdown', SHUTOFF, 'shutdown'], ['stopped', 'destroyed', SHUTOFF, 'destroyed'], ['stopped', 'crashed', SHUTOFF, 'crashed'],
    ['stopped', 'migrated', SHUTOFF, 'migrated'], ['stopped', 'saved', SHUTOFF, 'saved'], ['stopped', 'failed', SHUTOFF, 'failed'],
    ['crashed', 'panicked', 6, 'panicked'],
  ];
  for (const [event, detail, state, reasonText] of cases) {
    test(`${event}/${detail} -> ${reasonText}`, () => {
      const current = dom('a', 1, event === 'resumed' ? PAUSED : RUNNING, 1);
      const effect = eventEffect(lifecycle('a', 1, event, detail, 1), current);
      assert.equal(effect.kind, 'set');
      if (effect.kind !== 'set') return;
      assert.deepEqual([effect.state, domainReasonText(effect.state, effect.reason)], [state, reasonText]);
    });
  }

  test('undefined/renamed changes nothing (defined/renamed follows); defined/renamed takes the new name', () => {
    const { view } = viewWith(dom('old', 1, SHUTOFF));
    view.applyEvent(lifecycle('old', 1, 'undefined', 'renamed'), 1100);
    view.applyEvent(lifecycle('new', 1, 'defined', 'renamed'), 1101);
    assert.deepEqual(view.list().map((d) => d.domain.name), ['new']);
  });
});
