/** The host's uptime, loads, processes, RAM and swap, from /proc (never libvirt). */
import * as v from 'valibot';
import { defineAction } from './types.ts';

export default defineAction({
  name: 'host-sysinfo',
  kind: 'read',
  role: 'viewer',
  summary: "The host's uptime, load averages, process count, RAM and swap",
  input: v.strictObject({}),
  async run(_input, { deps }) {
    return { data: await deps.host.sysinfo() };
  },
});
