/** The network calls of the typed API: lookup, XML, DHCP entries and leases, and the lifecycle. */
import { Feature, NetworkUpdateFlags } from '../constants.ts';
import { Proc, type DhcpLease } from '../procedures.ts';
import type { NetworkRef } from '../types.ts';
import type { ApiConstructor, LibvirtBase } from './base.ts';

/** Adds the network calls to the API. */
export function withNetworks<B extends ApiConstructor<LibvirtBase>>(Base: B) {
  abstract class NetworkCalls extends Base {
    /** Looks a network up by name (error 43 when missing). */
    lookupNetwork(name: string): Promise<NetworkRef> {
      return this.call(Proc.NETWORK_LOOKUP_BY_NAME, name);
    }

    /** The network's XML. */
    networkXml(net: NetworkRef, flags = 0): Promise<string> {
      return this.call(Proc.NETWORK_GET_XML_DESC, { net, flags });
    }

    /**
     * Updates one section of a network (e.g. command ADD_LAST, section IP_DHCP_HOST). Daemons
     * without feature 16 expect command and section swapped (a bug from 0.10.2 until fixed).
     */
    async networkUpdate(net: NetworkRef, command: number, section: number, xml: string,
      flags: number = NetworkUpdateFlags.LIVE | NetworkUpdateFlags.CONFIG, parentIndex = -1): Promise<void> {
      const natural = await this.supports(Feature.NETWORK_UPDATE_HAS_CORRECT_ORDER);
      const [c, s] = natural ? [command, section] : [section, command];
      await this.call(Proc.NETWORK_UPDATE, { net, command: c, section: s, parentIndex, xml, flags });
    }

    /** Whether the network runs (its bridge and dnsmasq are up). */
    networkIsActive(net: NetworkRef): Promise<boolean> {
      return this.call(Proc.NETWORK_IS_ACTIVE, net);
    }

    /** Whether the network has a persistent definition (config updates need one). */
    networkIsPersistent(net: NetworkRef): Promise<boolean> {
      return this.call(Proc.NETWORK_IS_PERSISTENT, net);
    }

    /** The network's current DHCP leases, all or one MAC's. */
    async dhcpLeases(net: NetworkRef, mac: string | null = null): Promise<DhcpLease[]> {
      return (await this.call(Proc.NETWORK_GET_DHCP_LEASES, { net, mac, needResults: true, flags: 0 })).leases;
    }

    /** Defines a persistent network from XML (not started). */
    defineNetwork(xml: string): Promise<NetworkRef> {
      return this.call(Proc.NETWORK_DEFINE_XML, xml);
    }

    /** Starts a defined network. */
    startNetwork(net: NetworkRef): Promise<void> {
      return this.call(Proc.NETWORK_CREATE, net);
    }

    /** Stops a network (a transient one is then gone). */
    destroyNetwork(net: NetworkRef): Promise<void> {
      return this.call(Proc.NETWORK_DESTROY, net);
    }

    /** Removes a network's persistent definition. */
    undefineNetwork(net: NetworkRef): Promise<void> {
      return this.call(Proc.NETWORK_UNDEFINE, net);
    }
  }
  return NetworkCalls;
}
