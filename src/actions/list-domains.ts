/**
 * Every domain with its state; with `detail`, also vCPUs, memory, CPU time, persistence and
 * autostart. The plain list is one cheap round trip: libvirt's CPU and vCPU statistics cost about
 * 2 ms per running QEMU domain, so only `detail` asks for them. A cached answer is the inventory
 * view's list (always with the detail), and never touches libvirt.
 */
import * as v from 'valibot';
import { listDetailed } from '../inventory/list.ts';
import type { DomainView } from '../model/domain-view.ts';
import { readInventory } from './cached-read.ts';
import { defineAction } from './types.ts';

export default defineAction({
  name: 'list-domains',
  kind: 'read',
  role: 'viewer',
  summary: 'List every domain with its state',
  input: v.strictObject({ detail: v.optional(v.boolean()) }),
  run(input, ctx) {
    const lv = ctx.deps.libvirt;
    const fresh = (): Promise<readonly DomainView[]> => (input.detail ? listDetailed(lv) : lv.listDomainStates());
    return readInventory(ctx, fresh, (view) => ({ data: view.list() }));
  },
});
