/**
 * Domain events as the client hands them out: decoded from callback-style MESSAGE packets
 * (procs 318 lifecycle, 319 reboot, 348 guest agent lifecycle) into named, typed values.
 */
import { AgentState, lifecycleDetailName, lifecycleEventName } from './constants.ts';
import type { Packet } from './packet.ts';
import { EventProc, decodeAgentLifecycleMessage, decodeLifecycleMessage, decodeRebootMessage } from './procedures.ts';
import type { DomainRef } from './types.ts';

/** A lifecycle event: started, stopped, suspended, … with its detail. */
export interface LifecycleEvent {
  kind: 'lifecycle';
  callbackId: number;
  domain: DomainRef;
  event: number;
  detail: number;
  eventName: string;
  detailName: string;
}

/** A guest reboot (also emitted by a reset). */
export interface RebootEvent {
  kind: 'reboot';
  callbackId: number;
  domain: DomainRef;
}

/** The guest agent in a domain connected (state 1) or disconnected (2). */
export interface AgentEvent {
  kind: 'agent';
  callbackId: number;
  domain: DomainRef;
  connected: boolean;
}

/** Any domain event the client decodes. */
export type DomainEvent = LifecycleEvent | RebootEvent | AgentEvent;

/** Decodes an event packet; null for events this client does not decode (or cannot). */
export function decodeEvent(packet: Packet): DomainEvent | null {
  try {
    if (packet.proc === EventProc.LIFECYCLE) {
      const m = decodeLifecycleMessage(packet.payload);
      return {
        kind: 'lifecycle', callbackId: m.callbackId, domain: m.dom, event: m.event, detail: m.detail,
        eventName: lifecycleEventName(m.event), detailName: lifecycleDetailName(m.event, m.detail),
      };
    }
    if (packet.proc === EventProc.AGENT_LIFECYCLE) {
      const m = decodeAgentLifecycleMessage(packet.payload);
      return { kind: 'agent', callbackId: m.callbackId, domain: m.dom, connected: m.state === AgentState.CONNECTED };
    }
    if (packet.proc === EventProc.REBOOT) {
      const m = decodeRebootMessage(packet.payload);
      return { kind: 'reboot', callbackId: m.callbackId, domain: m.dom };
    }
  } catch {
    // A malformed event must not take down the connection; it is dropped.
  }
  return null;
}
