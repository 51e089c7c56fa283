/** The event subscriptions of the typed API; they survive reconnects (the client renews them). */
import type { EventSubscription } from '../client.ts';
import { EventId } from '../constants.ts';
import type { DomainEvent } from '../events.ts';
import type { ApiConstructor } from './base.ts';

/** Adds the event subscriptions to the API. */
export function withEvents<B extends ApiConstructor>(Base: B) {
  abstract class EventCalls extends Base {
    /** Subscribes to lifecycle events of every domain. */
    onLifecycle(handler: (e: DomainEvent) => void): Promise<EventSubscription> {
      return this.subscribe(EventId.LIFECYCLE, handler);
    }

    /** Subscribes to guest agent connect/disconnect events of every domain. */
    onAgentLifecycle(handler: (e: DomainEvent) => void): Promise<EventSubscription> {
      return this.subscribe(EventId.AGENT_LIFECYCLE, handler);
    }

    /** Subscribes to reboot events (reboots and resets) of every domain. */
    onReboot(handler: (e: DomainEvent) => void): Promise<EventSubscription> {
      return this.subscribe(EventId.REBOOT, handler);
    }
  }
  return EventCalls;
}
