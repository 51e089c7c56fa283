/** A running guest's counters at one moment, as CONNECT_GET_ALL_DOMAIN_STATS reports them. */

/** One disk's cumulative counters, by its target device name (vda, sdb). */
export interface DiskCounters {
  name: string;
  readBytes: bigint;
  writeBytes: bigint;
  readRequests: bigint;
  writeRequests: bigint;
}

/** One NIC's cumulative counters, by its host-side device name (vnet0). */
export interface NicCounters {
  name: string;
  rxBytes: bigint;
  txBytes: bigint;
  rxPackets: bigint;
  txPackets: bigint;
}

/**
 * Memory as the balloon reports it (KiB): `actualKiB` is what the guest has; `unusedKiB` and
 * `availableKiB` come from the guest's balloon driver and are null when it does not report them.
 */
export interface MemoryCounters {
  actualKiB: bigint | null;
  unusedKiB: bigint | null;
  availableKiB: bigint | null;
  usableKiB: bigint | null;
  rssKiB: bigint | null;
}

/** Everything counted for one running guest in one read. */
export interface GuestCounters {
  cpuTimeNs: bigint;
  memory: MemoryCounters;
  disks: DiskCounters[];
  nics: NicCounters[];
}
