/** A guest's serial console as a session over the caller's WebSocket, audited with what it carried. */
import * as v from 'valibot';
import { AppError } from '../errors.ts';
import { runConsoleSession } from '../guest/console-session.ts';
import type { Deps } from '../deps.ts';
import { ConsoleFlags, DomainState, LibvirtError, type DomainEvent, type DomainRef, type Libvirt, type LibvirtStream } from '../libvirt/index.ts';
import { findDomain } from './domain.ts';
import { Flag } from './query-schemas.ts';
import { DomainName } from './schemas.ts';
import { defineAction } from './types.ts';

/** How long a console's end may precede its guest's stop event. */
const STOP_GRACE_MS = 750;
/** libvirt's message when another session holds the console (VIR_ERR_OPERATION_FAILED). */
const BUSY = /active console session exists/i;

export default defineAction({
  name: 'console',
  kind: 'mutation',
  role: 'operator',
  summary: 'The guest\'s serial console over a WebSocket: one session at a time, force takes it over',
  input: v.strictObject({ domain: DomainName, force: v.optional(Flag, 'false') }),
  domainOf: (input) => input.domain,
  session: true,
  cancelable: true,
  async run(input, { deps, channel, signal }) {
    if (!channel) throw new AppError('UPGRADE_REQUIRED', 'the console is a WebSocket: send the request as a WebSocket upgrade');
    const dom = await findDomain(deps, input.domain);
    const stream = await openConsole(deps.libvirt, dom, input.domain, input.force);
    await channel.open().catch((err: unknown) => { void stream.abort(); throw err; });
    const stops = watchStops(deps, dom);
    try {
      const summary = await runConsoleSession(stream, channel, {
        signal, now: deps.clock.now, guestStopped: stops.stopped, recordInput: deps.settings.consoleRecordInput === true,
      });
      return { data: summary, audit: { ...summary, forced: input.force } };
    } finally {
      stops.close();
    }
  },
});

const isStopped = (e: DomainEvent) => e.kind === 'lifecycle' && e.eventName === 'stopped';

/**
 * Whether the guest stopped, for a console whose stream just ended. QEMU's exit closes the console
 * before libvirt reports the domain stopped, so a stop event already seen, or one within
 * STOP_GRACE_MS, says so; else its state does (a forced takeover leaves it running).
 */
function watchStops(deps: Deps, dom: DomainRef): { stopped: () => Promise<boolean>; close: () => void } {
  let seen = false;
  const off = deps.events.listen((e) => { if (isStopped(e) && Buffer.compare(Buffer.from(e.domain.uuid), Buffer.from(dom.uuid)) === 0) seen = true; });
  const stopped = async () => {
    if (seen || await deps.events.waitFor(dom.uuid, isStopped, STOP_GRACE_MS).result) return true;
    return (await deps.libvirt.domainState(dom)).state !== DomainState.RUNNING;
  };
  return { stopped, close: off };
}

async function openConsole(lv: Libvirt, dom: DomainRef, name: string, force: boolean): Promise<LibvirtStream> {
  try {
    return await lv.openConsole(dom, null, force ? ConsoleFlags.FORCE : 0);
  } catch (err) {
    if (err instanceof LibvirtError && BUSY.test(err.message)) {
      throw new AppError('CONFLICT', `another session holds the console of '${name}'; connect with force=true to take it over`, { fields: [{ field: 'force', message: 'another session holds the console' }] });
    }
    throw err;
  }
}
