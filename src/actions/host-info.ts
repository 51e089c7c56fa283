/** Host figures from /proc plus libvirt's view: node info, connection and versions; fresh or cached. */
import * as v from 'valibot';
import type { Deps } from '../deps.ts';
import { readInventory } from './cached-read.ts';
import type { HostFigures } from '../model/inventory.ts';
import { defineAction } from './types.ts';

async function freshHost(deps: Deps): Promise<HostFigures> {
  const [sysinfo, node, libvirt] = await Promise.all([deps.host.sysinfo(), deps.libvirt.nodeInfo(), deps.libvirt.connectionInfo()]);
  return { sysinfo, node, libvirt };
}

export default defineAction({
  name: 'host-info',
  kind: 'read',
  role: 'viewer',
  summary: "The host's system figures and libvirt's node info",
  input: v.strictObject({}),
  run(_input, ctx) {
    return readInventory(ctx, () => freshHost(ctx.deps), (view) => ({ data: view.host! }));
  },
});
