/** The domain calls of the typed API: listing, lookup, state, XML, definition and the lifecycle. */
import { DestroyFlags, InterfaceAddressSource, ShutdownFlags, StatsGroup, UNDEFINE_EVERYTHING, domainReasonText, domainStateText } from '../constants.ts';
import { ErrorCode, LibvirtError } from '../errors.ts';
import { Proc, type DomainInfo, type DomainInterface, type DomainStatsRecord } from '../procedures.ts';
import { typedParamsToRecord, type DomainRef } from '../types.ts';
import type { ApiConstructor } from './base.ts';

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

/** Adds the domain calls to the API. */
export function withDomains<B extends ApiConstructor>(Base: B) {
  abstract class DomainCalls extends Base {
    /** Every domain (flags 0) or those matching ListFlags. */
    async listDomains(flags = 0): Promise<DomainRef[]> {
      return (await this.call(Proc.CONNECT_LIST_ALL_DOMAINS, { needResults: true, flags })).domains;
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
      return this.call(Proc.CONNECT_GET_ALL_DOMAIN_STATS, { doms, stats, flags });
    }

    /** Looks a domain up by name (error 42 when missing). */
    lookupDomain(name: string): Promise<DomainRef> {
      return this.call(Proc.DOMAIN_LOOKUP_BY_NAME, name);
    }

    /** Looks a domain up by its 16-byte UUID. */
    lookupDomainByUuid(uuid: Buffer): Promise<DomainRef> {
      return this.call(Proc.DOMAIN_LOOKUP_BY_UUID, uuid);
    }

    /** State and reason with their virsh texts. */
    async domainState(dom: DomainRef): Promise<DomainStateInfo> {
      const { state, reason } = await this.call(Proc.DOMAIN_GET_STATE, { dom, flags: 0 });
      return { state, reason, stateText: domainStateText(state), reasonText: domainReasonText(state, reason) };
    }

    /** virDomainGetInfo: state, memory (KiB), vCPUs, CPU time (ns). */
    domainInfo(dom: DomainRef): Promise<DomainInfo> {
      return this.call(Proc.DOMAIN_GET_INFO, dom);
    }

    /** Whether the domain has a persistent definition (a transient one is gone once stopped). */
    isPersistent(dom: DomainRef): Promise<boolean> {
      return this.call(Proc.DOMAIN_IS_PERSISTENT, dom);
    }

    /** The domain's XML (XmlFlags). */
    domainXml(dom: DomainRef, flags = 0): Promise<string> {
      return this.call(Proc.DOMAIN_GET_XML_DESC, { dom, flags });
    }

    /** Defines (or redefines) a persistent domain; returns it with id -1 unless it runs. */
    defineXml(xml: string, flags = 0): Promise<DomainRef> {
      return this.call(Proc.DOMAIN_DEFINE_XML_FLAGS, { xml, flags });
    }

    /**
     * Undefines a domain, by default also removing managed save, snapshot and checkpoint metadata
     * and NVRAM, so domains that have them do not refuse. Drivers that reject some of those flags
     * (the test driver) are retried with the flags they accept.
     */
    async undefine(dom: DomainRef, flags = UNDEFINE_EVERYTHING): Promise<void> {
      try {
        await this.call(Proc.DOMAIN_UNDEFINE_FLAGS, { dom, flags });
      } catch (err) {
        if (!(err instanceof LibvirtError) || err.code !== ErrorCode.INVALID_ARG || flags === 0) throw err;
        await this.call(Proc.DOMAIN_UNDEFINE_FLAGS, { dom, flags: 0 });
      }
    }

    /** Starts a defined domain; the returned handle carries its new id. */
    start(dom: DomainRef, flags = 0): Promise<DomainRef> {
      return this.call(Proc.DOMAIN_CREATE_WITH_FLAGS, { dom, flags });
    }

    /** Creates and starts a transient domain from XML. */
    createXml(xml: string, flags = 0): Promise<DomainRef> {
      return this.call(Proc.DOMAIN_CREATE_XML, { xml, flags });
    }

    /** Asks the guest to shut down (ShutdownFlags); a guest without an OS may ignore it. */
    shutdown(dom: DomainRef, flags: number = ShutdownFlags.DEFAULT): Promise<void> {
      return this.call(Proc.DOMAIN_SHUTDOWN_FLAGS, { dom, flags });
    }

    /** Asks the guest to reboot (ShutdownFlags bits). */
    reboot(dom: DomainRef, flags: number = ShutdownFlags.DEFAULT): Promise<void> {
      return this.call(Proc.DOMAIN_REBOOT, { dom, flags });
    }

    /** Hard reset, like pressing the reset button. */
    reset(dom: DomainRef): Promise<void> {
      return this.call(Proc.DOMAIN_RESET, { dom, flags: 0 });
    }

    /** Powers the domain off at once (DestroyFlags). */
    destroy(dom: DomainRef, flags: number = DestroyFlags.DEFAULT): Promise<void> {
      return this.call(Proc.DOMAIN_DESTROY_FLAGS, { dom, flags });
    }

    /** Pauses the domain's vCPUs. */
    suspend(dom: DomainRef): Promise<void> {
      return this.call(Proc.DOMAIN_SUSPEND, dom);
    }

    /** Resumes a paused domain. */
    resume(dom: DomainRef): Promise<void> {
      return this.call(Proc.DOMAIN_RESUME, dom);
    }

    /**
     * The guest's interfaces and their addresses (InterfaceAddressSource): from the network's DHCP
     * leases, from the guest agent (which needs one running in the guest), or from the host's ARP table.
     */
    interfaceAddresses(dom: DomainRef, source: number = InterfaceAddressSource.LEASE): Promise<DomainInterface[]> {
      return this.call(Proc.DOMAIN_INTERFACE_ADDRESSES, { dom, source, flags: 0 });
    }

    /** Whether the domain starts with the host. */
    getAutostart(dom: DomainRef): Promise<boolean> {
      return this.call(Proc.DOMAIN_GET_AUTOSTART, dom);
    }

    /** Sets whether the domain starts with the host. */
    setAutostart(dom: DomainRef, autostart: boolean): Promise<void> {
      return this.call(Proc.DOMAIN_SET_AUTOSTART, { dom, autostart });
    }
  }
  return DomainCalls;
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
