/** The host calls of the typed API: who the daemon is, its capabilities, node figures. */
import { Proc, type NodeInfo } from '../procedures.ts';
import type { ApiConstructor } from './base.ts';

/** Who we are talking to. */
export interface ConnectionInfo { hostname: string; type: string; hypervisorVersion: bigint; libVersion: bigint; uri: string }

/** Node memory (KiB) or CPU (cumulative ns) statistics by field name. */
export type NodeStats = Record<string, bigint>;

/** Adds the host calls to the API. */
export function withHost<B extends ApiConstructor>(Base: B) {
  abstract class HostCalls extends Base {
    /** Hostname, driver type, versions and canonical URI, in one pipelined round trip. */
    async connectionInfo(): Promise<ConnectionInfo> {
      const [hostname, type, hypervisorVersion, libVersion, uri] = await Promise.all([
        this.call(Proc.CONNECT_GET_HOSTNAME, undefined), this.call(Proc.CONNECT_GET_TYPE, undefined),
        this.call(Proc.CONNECT_GET_VERSION, undefined), this.call(Proc.CONNECT_GET_LIB_VERSION, undefined),
        this.call(Proc.CONNECT_GET_URI, undefined),
      ]);
      return { hostname, type, hypervisorVersion, libVersion, uri };
    }

    /** libvirt's version on the daemon: the cheapest call there is (readiness pings it). */
    libVersion(timeoutMs?: number): Promise<bigint> {
      return this.call(Proc.CONNECT_GET_LIB_VERSION, undefined, timeoutMs === undefined ? {} : { timeoutMs });
    }

    /** The host's capabilities XML: its UUID (host_uuid), CPU, and the guest types it runs. */
    capabilities(): Promise<string> {
      return this.call(Proc.CONNECT_GET_CAPABILITIES, undefined);
    }

    /** Host CPU model, memory (KiB) and topology. */
    nodeInfo(): Promise<NodeInfo> {
      return this.call(Proc.NODE_GET_INFO, undefined);
    }

    /** Host memory figures in KiB (total, free, buffers, cached); cell -1 = all. */
    async nodeMemoryStats(cell = -1): Promise<NodeStats> {
      // Two calls: nparams=0 asks how many; the second reply's nparams is 0, so use the array.
      const { nparams } = await this.call(Proc.NODE_GET_MEMORY_STATS, { nparams: 0, cellNum: cell, flags: 0 });
      const { params } = await this.call(Proc.NODE_GET_MEMORY_STATS, { nparams, cellNum: cell, flags: 0 });
      return Object.fromEntries(params.map((p) => [p.field, p.value]));
    }

    /** Host CPU times in cumulative ns (kernel, user, idle, iowait); cpu -1 = all. */
    async nodeCpuStats(cpu = -1): Promise<NodeStats> {
      const { nparams } = await this.call(Proc.NODE_GET_CPU_STATS, { cpuNum: cpu, nparams: 0, flags: 0 });
      const { params } = await this.call(Proc.NODE_GET_CPU_STATS, { cpuNum: cpu, nparams, flags: 0 });
      return Object.fromEntries(params.map((p) => [p.field, p.value]));
    }

    /** Free host memory in bytes. */
    freeMemory(): Promise<bigint> {
      return this.call(Proc.NODE_GET_FREE_MEMORY, undefined);
    }
  }
  return HostCalls;
}
