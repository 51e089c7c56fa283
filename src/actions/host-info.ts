/** Host figures from /proc plus libvirt's view: node info, connection and versions. */
import * as v from 'valibot';
import { defineAction } from './types.ts';

export default defineAction({
  name: 'host-info',
  kind: 'read',
  role: 'viewer',
  summary: "The host's system figures and libvirt's node info",
  input: v.strictObject({}),
  async run(_input, { deps }) {
    const [sysinfo, node, libvirt] = await Promise.all([deps.host.sysinfo(), deps.libvirt.nodeInfo(), deps.libvirt.connectionInfo()]);
    return { data: { sysinfo, node, libvirt } };
  },
});
