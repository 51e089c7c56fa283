/** The event feed: ids, the bounded ring, resuming after Last-Event-ID with gaps reported, closing. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventFeed, type FeedEvent } from '../../src/events/feed.ts';

const publishN = (feed: EventFeed, n: number) => Array.from({ length: n }, (_, i) => feed.publish('lifecycle', `d${i}`, 1000 + i, { i }));

describe('EventFeed', () => {
  test('ids are <boot>-<seq>, increasing; subscribers get every event', () => {
    const feed = new EventFeed(8, 'boot1');
    const got: FeedEvent[] = [];
    const off = feed.subscribe((e) => got.push(e));
    const [a, b] = publishN(feed, 2);
    assert.deepEqual([a!.id, b!.id], ['boot1-1', 'boot1-2']);
    off();
    publishN(feed, 1);
    assert.deepEqual(got.map((e) => e.id), ['boot1-1', 'boot1-2']);
  });

  test('since: what came after the id; no id: nothing and no gap', () => {
    const feed = new EventFeed(8, 'b');
    publishN(feed, 5);
    assert.deepEqual(feed.since(undefined), { events: [], gap: false });
    const after3 = feed.since('b-3');
    assert.deepEqual([after3.events.map((e) => e.seq), after3.gap], [[4, 5], false]);
    assert.deepEqual(feed.since('b-5'), { events: [], gap: false });
  });

  test('the ring keeps the newest `capacity` events; an id older than that is a gap', () => {
    const feed = new EventFeed(3, 'b');
    publishN(feed, 6);
    const kept = feed.since('b-3');
    assert.deepEqual([kept.events.map((e) => e.seq), kept.gap], [[4, 5, 6], false], 'b-3 is just before the oldest kept: nothing lost');
    const lost = feed.since('b-1');
    assert.deepEqual([lost.events.map((e) => e.seq), lost.gap], [[4, 5, 6], true]);
  });

  test('an id from another run of the agent (or garbage, or from the future) is a gap with everything kept', () => {
    const feed = new EventFeed(4, 'now');
    publishN(feed, 2);
    for (const id of ['earlier-1', 'garbage', 'now-99', '']) {
      const r = feed.since(id);
      assert.deepEqual([r.events.length, r.gap], [2, true], id);
    }
  });

  test('close() tells its listeners and marks the feed closed', () => {
    const feed = new EventFeed();
    let told = 0;
    feed.onClose(() => told++);
    assert.equal(feed.closed, false);
    feed.close();
    assert.deepEqual([feed.closed, told], [true, 1]);
  });
});
