/** A domain as the agent's reads, its inventory view and its snapshots show it. */
import type { DomainSummary } from '../libvirt/index.ts';
import type { GuestAddresses } from './addresses.ts';
import type { GuestCounters } from './guest-counters.ts';

/** A domain with its state and figures; `persistent` and `autostart` when read in detail. */
export interface DomainView extends DomainSummary {
  /** Present with `detail`. */
  persistent?: boolean;
  /** Present with `detail`. */
  autostart?: boolean;
  /** A running guest's counters, when the read or snapshot took them. */
  counters?: GuestCounters;
  /** Its addresses per NIC, when the read or snapshot took them. */
  addresses?: GuestAddresses;
}
