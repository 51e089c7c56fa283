/**
 * The agent's own short-lived connection to a migration destination, for the pre-check and for
 * verifying where the guest ended up. In peer-to-peer migration it is the source daemon that dials
 * the destination, not the agent; the agent runs on the source host, so what it reaches is what the
 * source daemon reaches. Where the agent's client cannot speak the URI's transport (ssh, tls), the
 * check says so and is left to the migration itself.
 */
import { Libvirt, LibvirtClient, UnsupportedUriError } from '../libvirt/index.ts';
import { parseCapabilities } from '../guest/domain-xml.ts';

/** An open connection to the destination with the facts the checks compare. */
export interface Destination {
  lv: Libvirt;
  hostname: string;
  hostUuid: string | null;
  close(): Promise<void>;
}

/** The destination reached, or why not (reachable false) or why it was not tried (reachable null). */
export type Reach = { reachable: true; dest: Destination } | { reachable: false | null; reason: string };

/** Opens a connection to `uri` within timeoutMs, never retrying, and reads hostname and host UUID. */
export async function reachDestination(uri: string, timeoutMs: number): Promise<Reach> {
  let client: LibvirtClient;
  try {
    client = new LibvirtClient(uri, { connectTimeoutMs: timeoutMs, callTimeoutMs: timeoutMs, reconnect: false, keepalive: null });
  } catch (err) {
    if (err instanceof UnsupportedUriError) return { reachable: null, reason: `not checked by the agent: ${err.message}` };
    throw err;
  }
  try {
    await client.connect();
    const lv = new Libvirt(client);
    const [info, caps] = await Promise.all([lv.connectionInfo(), lv.capabilities()]);
    const close = () => client.close();
    return { reachable: true, dest: { lv, hostname: info.hostname, hostUuid: parseCapabilities(caps).uuid, close } };
  } catch (err) {
    await client.close().catch(() => {});
    if (err instanceof UnsupportedUriError) return { reachable: null, reason: `not checked by the agent: ${err.message}` };
    return { reachable: false, reason: err instanceof Error ? err.message : String(err) };
  }
}
