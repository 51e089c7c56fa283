/**
 * The typed libvirt API the agent uses, over one LibvirtClient. Independent calls are pipelined
 * (sent together, matched by serial) rather than awaited one by one.
 */
import type { CallOptions, LibvirtClient } from './client.ts';
import {
  DestroyFlags, EventId, Feature, NetworkUpdateFlags, ShutdownFlags, StatsGroup, UNDEFINE_EVERYTHING,
  domainReasonText, domainStateText,
} from './constants.ts';
import { ErrorCode, LibvirtError } from './errors.ts';
import type { DomainEvent } from './events.ts';
import { Proc, type DhcpLease, type DomainInfo, type DomainStatsRecord, type JobInfo, type NodeInfo } from './procedures.ts';
import { typedParamsToRecord, type DomainRef, type NetworkRef, type StoragePoolRef, type StorageVolRef, type TypedParam } from './types.ts';
import { isLocalDestination } from './uri.ts';

/** Who we are talking to. */
export interface ConnectionInfo { hostname: string; type: string; hypervisorVersion: bigint; libVersion: bigint; uri: string }

/** A domain's state with its reason, as codes and as virsh prints them. */
export interface DomainStateInfo { state: number; reason: number; stateText: string; reasonText: string }

/** One domain from the bulk listing, with state and the figures libvirt keeps for it. */
export interface DomainSummary extends DomainStateInfo {
  domain: DomainRef;
  active: boolean;
  vcpus: number | null;
  memoryKiB: bigint | null;
  maxMemoryKiB: bigint | null;
  cpuTimeNs: bigint | null;
}

/** Peer-to-peer migration request. */
export interface MigrateRequest {
  /** Destination daemon URI as the source daemon sees it, e.g. qemu+tcp://host/system. */
  destinationUri: string;
  flags: number;
  params?: TypedParam[];
  timeoutMs?: number;
}

/** Node memory (KiB) or CPU (cumulative ns) statistics by field name. */
export type NodeStats = Record<string, bigint>;

/** The typed API over a client; stateless apart from the client it wraps. */
export class Libvirt {
  constructor(readonly client: LibvirtClient) {}

  /** Hostname, driver type, versions and canonical URI, in one pipelined round trip. */
  async connectionInfo(): Promise<ConnectionInfo> {
    const c = this.client;
    const [hostname, type, hypervisorVersion, libVersion, uri] = await Promise.all([
      c.call(Proc.CONNECT_GET_HOSTNAME, undefined), c.call(Proc.CONNECT_GET_TYPE, undefined),
      c.call(Proc.CONNECT_GET_VERSION, undefined), c.call(Proc.CONNECT_GET_LIB_VERSION, undefined),
      c.call(Proc.CONNECT_GET_URI, undefined),
    ]);
    return { hostname, type, hypervisorVersion, libVersion, uri };
  }

  /** Every domain (flags 0) or those matching ListFlags. */
  async listDomains(flags = 0): Promise<DomainRef[]> {
    return (await this.client.call(Proc.CONNECT_LIST_ALL_DOMAINS, { needResults: true, flags })).domains;
  }

  /** Every domain with its state, vCPUs, memory and CPU time, in one round trip. */
  async listDomainSummaries(flags = 0): Promise<DomainSummary[]> {
    const records = await this.domainStats(StatsGroup.STATE | StatsGroup.CPU_TOTAL | StatsGroup.BALLOON | StatsGroup.VCPU, flags);
    return records.map(summarize);
  }

  /** Every domain with its state and reason only: the cheapest full listing, one round trip. */
  async listDomainStates(flags = 0): Promise<DomainSummary[]> {
    return (await this.domainStats(StatsGroup.STATE, flags)).map(summarize);
  }

  /** Raw CONNECT_GET_ALL_DOMAIN_STATS for all domains (or `doms`). */
  domainStats(stats: number, flags = 0, doms: DomainRef[] = []): Promise<DomainStatsRecord[]> {
    return this.client.call(Proc.CONNECT_GET_ALL_DOMAIN_STATS, { doms, stats, flags });
  }

  /** The host's capabilities XML: its UUID (host_uuid), CPU, and the guest types it runs. */
  capabilities(): Promise<string> {
    return this.client.call(Proc.CONNECT_GET_CAPABILITIES, undefined);
  }

  /** Looks a domain up by name (error 42 when missing). */
  lookupDomain(name: string): Promise<DomainRef> {
    return this.client.call(Proc.DOMAIN_LOOKUP_BY_NAME, name);
  }

  /** Looks a domain up by its 16-byte UUID. */
  lookupDomainByUuid(uuid: Buffer): Promise<DomainRef> {
    return this.client.call(Proc.DOMAIN_LOOKUP_BY_UUID, uuid);
  }

  /** State and reason with their virsh texts. */
  async domainState(dom: DomainRef): Promise<DomainStateInfo> {
    const { state, reason } = await this.client.call(Proc.DOMAIN_GET_STATE, { dom, flags: 0 });
    return { state, reason, stateText: domainStateText(state), reasonText: domainReasonText(state, reason) };
  }

  /** virDomainGetInfo: state, memory (KiB), vCPUs, CPU time (ns). */
  domainInfo(dom: DomainRef): Promise<DomainInfo> {
    return this.client.call(Proc.DOMAIN_GET_INFO, dom);
  }

  /** Whether the domain has a persistent definition (a transient one is gone once stopped). */
  isPersistent(dom: DomainRef): Promise<boolean> {
    return this.client.call(Proc.DOMAIN_IS_PERSISTENT, dom);
  }

  /** The domain's XML (XmlFlags). */
  domainXml(dom: DomainRef, flags = 0): Promise<string> {
    return this.client.call(Proc.DOMAIN_GET_XML_DESC, { dom, flags });
  }

  /** Defines (or redefines) a persistent domain; returns it with id -1 unless it runs. */
  defineXml(xml: string, flags = 0): Promise<DomainRef> {
    return this.client.call(Proc.DOMAIN_DEFINE_XML_FLAGS, { xml, flags });
  }

  /**
   * Undefines a domain, by default also removing managed save, snapshot and checkpoint metadata
   * and NVRAM, so domains that have them do not refuse. Drivers that reject some of those flags
   * (the test driver) are retried with the flags they accept.
   */
  async undefine(dom: DomainRef, flags = UNDEFINE_EVERYTHING): Promise<void> {
    try {
      await this.client.call(Proc.DOMAIN_UNDEFINE_FLAGS, { dom, flags });
    } catch (err) {
      if (!(err instanceof LibvirtError) || err.code !== ErrorCode.INVALID_ARG || flags === 0) throw err;
      await this.client.call(Proc.DOMAIN_UNDEFINE_FLAGS, { dom, flags: 0 });
    }
  }

  /** Starts a defined domain; the returned handle carries its new id. */
  start(dom: DomainRef, flags = 0): Promise<DomainRef> {
    return this.client.call(Proc.DOMAIN_CREATE_WITH_FLAGS, { dom, flags });
  }

  /** Creates and starts a transient domain from XML. */
  createXml(xml: string, flags = 0): Promise<DomainRef> {
    return this.client.call(Proc.DOMAIN_CREATE_XML, { xml, flags });
  }

  /** Asks the guest to shut down (ShutdownFlags); a guest without an OS may ignore it. */
  shutdown(dom: DomainRef, flags: number = ShutdownFlags.DEFAULT): Promise<void> {
    return this.client.call(Proc.DOMAIN_SHUTDOWN_FLAGS, { dom, flags });
  }

  /** Asks the guest to reboot (ShutdownFlags bits). */
  reboot(dom: DomainRef, flags: number = ShutdownFlags.DEFAULT): Promise<void> {
    return this.client.call(Proc.DOMAIN_REBOOT, { dom, flags });
  }

  /** Hard reset, like pressing the reset button. */
  reset(dom: DomainRef): Promise<void> {
    return this.client.call(Proc.DOMAIN_RESET, { dom, flags: 0 });
  }

  /** Powers the domain off at once (DestroyFlags). */
  destroy(dom: DomainRef, flags: number = DestroyFlags.DEFAULT): Promise<void> {
    return this.client.call(Proc.DOMAIN_DESTROY_FLAGS, { dom, flags });
  }

  /** Pauses the domain's vCPUs. */
  suspend(dom: DomainRef): Promise<void> {
    return this.client.call(Proc.DOMAIN_SUSPEND, dom);
  }

  /** Resumes a paused domain. */
  resume(dom: DomainRef): Promise<void> {
    return this.client.call(Proc.DOMAIN_RESUME, dom);
  }

  /** Whether the domain starts with the host. */
  getAutostart(dom: DomainRef): Promise<boolean> {
    return this.client.call(Proc.DOMAIN_GET_AUTOSTART, dom);
  }

  /** Sets whether the domain starts with the host. */
  setAutostart(dom: DomainRef, autostart: boolean): Promise<void> {
    return this.client.call(Proc.DOMAIN_SET_AUTOSTART, { dom, autostart });
  }

  /**
   * Peer-to-peer migration (virDomainMigrateToURI3 with PEER2PEER): one call on the source; its
   * daemon dials the destination and drives the protocol. Blocks until the migration ends.
   */
  async migrate(dom: DomainRef, req: MigrateRequest): Promise<void> {
    if (isLocalDestination(req.destinationUri)) {
      throw new LibvirtError(ErrorCode.INVALID_ARG, 0, `Attempt to migrate guest to the same host: ${req.destinationUri}`);
    }
    const call = { dom, dconnuri: req.destinationUri, params: req.params ?? [], cookieIn: Buffer.alloc(0), flags: req.flags };
    const opts: CallOptions = { timeoutMs: req.timeoutMs ?? 0 };
    await this.client.call(Proc.DOMAIN_MIGRATE_PERFORM3_PARAMS, call, opts);
  }

  /** Progress of the domain's current job (type 0 when none). */
  jobInfo(dom: DomainRef): Promise<JobInfo> {
    return this.client.call(Proc.DOMAIN_GET_JOB_INFO, dom);
  }

  /** Job statistics as typed parameters (flags: COMPLETED 1, KEEP_COMPLETED 2). */
  async jobStats(dom: DomainRef, flags = 0): Promise<{ type: number; stats: Record<string, number | bigint | boolean | string> }> {
    const { type, params } = await this.client.call(Proc.DOMAIN_GET_JOB_STATS, { dom, flags });
    return { type, stats: typedParamsToRecord(params) };
  }

  /** Aborts the current job (error 55 when there is none). */
  abortJob(dom: DomainRef, flags = 0): Promise<void> {
    return flags === 0
      ? this.client.call(Proc.DOMAIN_ABORT_JOB, dom)
      : this.client.call(Proc.DOMAIN_ABORT_JOB_FLAGS, { dom, flags });
  }

  /** Host CPU model, memory (KiB) and topology. */
  nodeInfo(): Promise<NodeInfo> {
    return this.client.call(Proc.NODE_GET_INFO, undefined);
  }

  /** Host memory figures in KiB (total, free, buffers, cached); cell -1 = all. */
  async nodeMemoryStats(cell = -1): Promise<NodeStats> {
    // Two calls: nparams=0 asks how many; the second reply's nparams is 0, so use the array.
    const { nparams } = await this.client.call(Proc.NODE_GET_MEMORY_STATS, { nparams: 0, cellNum: cell, flags: 0 });
    const { params } = await this.client.call(Proc.NODE_GET_MEMORY_STATS, { nparams, cellNum: cell, flags: 0 });
    return Object.fromEntries(params.map((p) => [p.field, p.value]));
  }

  /** Host CPU times in cumulative ns (kernel, user, idle, iowait); cpu -1 = all. */
  async nodeCpuStats(cpu = -1): Promise<NodeStats> {
    const { nparams } = await this.client.call(Proc.NODE_GET_CPU_STATS, { cpuNum: cpu, nparams: 0, flags: 0 });
    const { params } = await this.client.call(Proc.NODE_GET_CPU_STATS, { cpuNum: cpu, nparams, flags: 0 });
    return Object.fromEntries(params.map((p) => [p.field, p.value]));
  }

  /** Free host memory in bytes. */
  freeMemory(): Promise<bigint> {
    return this.client.call(Proc.NODE_GET_FREE_MEMORY, undefined);
  }

  /** Subscribes to lifecycle events of every domain. */
  onLifecycle(handler: (e: DomainEvent) => void): ReturnType<LibvirtClient['subscribe']> {
    return this.client.subscribe(EventId.LIFECYCLE, handler);
  }

  /** Subscribes to reboot events (reboots and resets) of every domain. */
  onReboot(handler: (e: DomainEvent) => void): ReturnType<LibvirtClient['subscribe']> {
    return this.client.subscribe(EventId.REBOOT, handler);
  }

  /** Looks a network up by name (error 43 when missing). */
  lookupNetwork(name: string): Promise<NetworkRef> {
    return this.client.call(Proc.NETWORK_LOOKUP_BY_NAME, name);
  }

  /** The network's XML. */
  networkXml(net: NetworkRef, flags = 0): Promise<string> {
    return this.client.call(Proc.NETWORK_GET_XML_DESC, { net, flags });
  }

  /**
   * Updates one section of a network (e.g. command ADD_LAST, section IP_DHCP_HOST). Daemons
   * without feature 16 expect command and section swapped (a bug from 0.10.2 until fixed).
   */
  async networkUpdate(net: NetworkRef, command: number, section: number, xml: string,
    flags: number = NetworkUpdateFlags.LIVE | NetworkUpdateFlags.CONFIG, parentIndex = -1): Promise<void> {
    const natural = await this.client.supports(Feature.NETWORK_UPDATE_HAS_CORRECT_ORDER);
    const [c, s] = natural ? [command, section] : [section, command];
    await this.client.call(Proc.NETWORK_UPDATE, { net, command: c, section: s, parentIndex, xml, flags });
  }

  /** Whether the network runs (its bridge and dnsmasq are up). */
  networkIsActive(net: NetworkRef): Promise<boolean> {
    return this.client.call(Proc.NETWORK_IS_ACTIVE, net);
  }

  /** Whether the network has a persistent definition (config updates need one). */
  networkIsPersistent(net: NetworkRef): Promise<boolean> {
    return this.client.call(Proc.NETWORK_IS_PERSISTENT, net);
  }

  /** The network's current DHCP leases, all or one MAC's. */
  async dhcpLeases(net: NetworkRef, mac: string | null = null): Promise<DhcpLease[]> {
    return (await this.client.call(Proc.NETWORK_GET_DHCP_LEASES, { net, mac, needResults: true, flags: 0 })).leases;
  }

  /** Defines a persistent network from XML (not started). */
  defineNetwork(xml: string): Promise<NetworkRef> {
    return this.client.call(Proc.NETWORK_DEFINE_XML, xml);
  }

  /** Starts a defined network. */
  startNetwork(net: NetworkRef): Promise<void> {
    return this.client.call(Proc.NETWORK_CREATE, net);
  }

  /** Stops a network (a transient one is then gone). */
  destroyNetwork(net: NetworkRef): Promise<void> {
    return this.client.call(Proc.NETWORK_DESTROY, net);
  }

  /** Removes a network's persistent definition. */
  undefineNetwork(net: NetworkRef): Promise<void> {
    return this.client.call(Proc.NETWORK_UNDEFINE, net);
  }

  /** Creates and starts a transient storage pool (flags: BUILD 1 makes its directory). */
  createStoragePool(xml: string, flags = 0): Promise<StoragePoolRef> {
    return this.client.call(Proc.STORAGE_POOL_CREATE_XML, { xml, flags });
  }

  /** Stops a storage pool (a transient one is then gone; its files stay). */
  destroyStoragePool(pool: StoragePoolRef): Promise<void> {
    return this.client.call(Proc.STORAGE_POOL_DESTROY, pool);
  }

  /** Rescans a pool so files made behind libvirt's back become volumes. */
  refreshStoragePool(pool: StoragePoolRef): Promise<void> {
    return this.client.call(Proc.STORAGE_POOL_REFRESH, { pool, flags: 0 });
  }

  /** A storage pool's XML (its type and target path). */
  storagePoolXml(pool: StoragePoolRef): Promise<string> {
    return this.client.call(Proc.STORAGE_POOL_GET_XML_DESC, { pool, flags: 0 });
  }

  /** The active pool whose target is this directory (error 49 when none). */
  lookupStoragePoolByTargetPath(path: string): Promise<StoragePoolRef> {
    return this.client.call(Proc.STORAGE_POOL_LOOKUP_BY_TARGET_PATH, path);
  }

  /** Looks a storage pool up by name (error 49 when missing). */
  lookupStoragePool(name: string): Promise<StoragePoolRef> {
    return this.client.call(Proc.STORAGE_POOL_LOOKUP_BY_NAME, name);
  }

  /** Looks a volume up by name in a pool (error 50 when missing). */
  lookupStorageVol(pool: StoragePoolRef, name: string): Promise<StorageVolRef> {
    return this.client.call(Proc.STORAGE_VOL_LOOKUP_BY_NAME, { pool, name });
  }

  /** Looks a volume up by its path on the host (error 50 when no pool holds it). */
  lookupStorageVolByPath(path: string): Promise<StorageVolRef> {
    return this.client.call(Proc.STORAGE_VOL_LOOKUP_BY_PATH, path);
  }

  /** A volume's XML: path, capacity, format and backing store. */
  storageVolXml(vol: StorageVolRef): Promise<string> {
    return this.client.call(Proc.STORAGE_VOL_GET_XML_DESC, { vol, flags: 0 });
  }

  /** Creates a volume in a pool from volume XML. */
  createStorageVol(pool: StoragePoolRef, xml: string, flags = 0): Promise<StorageVolRef> {
    return this.client.call(Proc.STORAGE_VOL_CREATE_XML, { pool, xml, flags });
  }

  /** Deletes a volume. */
  deleteStorageVol(vol: StorageVolRef, flags = 0): Promise<void> {
    return this.client.call(Proc.STORAGE_VOL_DELETE, { vol, flags });
  }

  /** A volume's path on the host. */
  storageVolPath(vol: StorageVolRef): Promise<string> {
    return this.client.call(Proc.STORAGE_VOL_GET_PATH, vol);
  }
}

function num(v: unknown): number | null {
  return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : null;
}

function big(v: unknown): bigint | null {
  return typeof v === 'bigint' ? v : typeof v === 'number' ? BigInt(v) : null;
}

/** Turns one GET_ALL_DOMAIN_STATS record into a DomainSummary. */
export function summarize(record: DomainStatsRecord): DomainSummary {
  const p = typedParamsToRecord(record.params);
  const state = num(p['state.state']) ?? 0;
  const reason = num(p['state.reason']) ?? 0;
  return {
    domain: record.dom,
    active: record.dom.id !== -1,
    state, reason, stateText: domainStateText(state), reasonText: domainReasonText(state, reason),
    vcpus: num(p['vcpu.current']),
    memoryKiB: big(p['balloon.current']),
    maxMemoryKiB: big(p['balloon.maximum']),
    cpuTimeNs: big(p['cpu.time']),
  };
}
