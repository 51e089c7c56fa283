/** The host's uptime, loads, processes, RAM and swap, from /proc (never libvirt), or from the newest snapshot. */
import * as v from 'valibot';
import { readInventory } from './cached-read.ts';
import { defineAction } from './types.ts';

export default defineAction({
  name: 'host-sysinfo',
  kind: 'read',
  role: 'viewer',
  summary: "The host's uptime, load averages, process count, RAM and swap",
  input: v.strictObject({}),
  run(_input, ctx) {
    return readInventory(ctx, () => ctx.deps.host.sysinfo(), (view) => ({ data: view.host!.sysinfo }));
  },
});
