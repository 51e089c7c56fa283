/**
 * The domain actions: start, shutdown, reboot, reset, destroy, suspend, resume and migrate. Each is
 * sent with `Prefer: respond-async` and an Idempotency-Key (so a retry after a lost answer runs
 * nothing twice), then followed to its end with its progress; `--no-wait` leaves it running.
 */
import { randomUUID } from 'node:crypto';
import type { OperationView } from '../../operations/view.ts';
import { Unreachable, type Answer } from '../agent.ts';
import { FlagError, numberFlag, type ClientCommand, type FlagValues } from '../command.ts';
import { printJson, type CommandContext } from '../context.ts';
import { EXIT } from '../exit-codes.ts';
import { followOperation, type Followed } from '../follow.ts';
import { hasEnded, operationEnding, operationLabel } from '../format.ts';

/** How long the agent may finish a quick action before it answers 202. */
const PREFER_WAIT_SECONDS = 1;
/** A guest's time to shut down when `--wait` is not given; Proxmox waits as long. */
const DEFAULT_SHUTDOWN_WAIT_SECONDS = 180;

const noWait = { 'no-wait': { type: 'boolean' } } as const;
const noWaitHelp = '--no-wait   answer once it runs, with its operation id, and leave it running';

/** A simple action on domain NAME with no options. */
function simple(name: string, summary: string): ClientCommand {
  return {
    name, args: 'NAME', summary, positionals: { min: 1, max: 1 }, flags: noWait, flagHelp: [noWaitHelp],
    run: (ctx, [domain], flags) => runAction(ctx, name, domain!, {}, flags),
  };
}

/** `govirthost start NAME` and the other actions without options. */
export const start = simple('start', 'start a domain');
export const reboot = simple('reboot', 'ask the guest to reboot');
export const reset = simple('reset', 'reset the domain at once (a hardware reset)');
export const destroy = simple('destroy', 'power the domain off at once');
export const suspend = simple('suspend', 'pause the domain');
export const resume = simple('resume', 'resume a paused domain');

/** `govirthost shutdown NAME [--wait S] [--force]`. */
export const shutdown: ClientCommand = {
  name: 'shutdown', args: 'NAME', summary: 'ask the guest to shut down and wait for it to stop', positionals: { min: 1, max: 1 },
  flags: { wait: { type: 'string' }, force: { type: 'boolean' }, ...noWait },
  flagHelp: [`--wait S    seconds to wait for it to stop (default ${DEFAULT_SHUTDOWN_WAIT_SECONDS}; 0 only asks)`, '--force     power it off if it has not stopped by then', noWaitHelp],
  run(ctx, [domain], flags) {
    const wait = numberFlag(flags, 'wait', { min: 0, max: 86_400 }) ?? DEFAULT_SHUTDOWN_WAIT_SECONDS;
    if (flags.force && wait === 0) throw new FlagError('--force needs a --wait of at least 1 second');
    return runAction(ctx, 'shutdown', domain!, { wait, ...(flags.force ? { force: true } : {}) }, flags);
  },
};

/** `govirthost migrate NAME --to HOST [options]`. */
export const migrate: ClientCommand = {
  name: 'migrate', args: 'NAME', summary: 'move a domain to another host (live by default)', positionals: { min: 1, max: 1 },
  flags: {
    to: { type: 'string' }, offline: { type: 'boolean' }, bandwidth: { type: 'string' }, timeout: { type: 'string' },
    'copy-storage': { type: 'boolean' }, 'keep-source': { type: 'boolean' }, ...noWait,
  },
  flagHelp: [
    '--to HOST        the destination host (required)', '--offline        move only the definition',
    '--bandwidth N    at most N MiB/s', '--timeout S      abort the job after S seconds',
    '--copy-storage   copy disks that are not on shared storage', '--keep-source    keep the definition on this host', noWaitHelp,
  ],
  run(ctx, [domain], flags) {
    if (typeof flags.to !== 'string' || flags.to === '') throw new FlagError('--to: the destination host is required');
    const bandwidth = numberFlag(flags, 'bandwidth', { min: 1, max: 1_000_000 });
    const timeout = numberFlag(flags, 'timeout', { min: 1, max: 86_400 });
    const body = {
      target: flags.to,
      ...(flags.offline ? { live: false } : {}), ...(bandwidth !== undefined ? { bandwidth } : {}),
      ...(timeout !== undefined ? { timeout } : {}), ...(flags['copy-storage'] ? { copyStorage: true } : {}),
      ...(flags['keep-source'] ? { undefineSource: false } : {}),
    };
    return runAction(ctx, 'migrate', domain!, body, flags);
  },
};

/** Sends action `action` on `domain`, follows it and reports how it ended. */
async function runAction(ctx: CommandContext, action: string, domain: string, body: Record<string, unknown>, flags: FlagValues): Promise<number> {
  const path = `/v1/domains/${encodeURIComponent(domain)}/actions/${action}`;
  const first = await startOperation(ctx, path, body);
  if (flags['no-wait'] && !hasEnded(first)) {
    if (ctx.json) printJson(ctx, first);
    else ctx.io.out(`${operationLabel(first)}: running as operation ${first.id} (govirthost ops ${first.id} --follow)\n`);
    return EXIT.ok;
  }
  const followed: Followed = hasEnded(first) ? { op: first, canceledHere: false, detached: false } : await followOperation(ctx, first);
  return reportEnd(ctx, followed);
}

/** POSTs the action and returns its operation, retrying once with the same key when the answer is lost. */
async function startOperation(ctx: CommandContext, path: string, body: Record<string, unknown>): Promise<OperationView> {
  const headers = { prefer: `respond-async, wait=${PREFER_WAIT_SECONDS}`, 'idempotency-key': randomUUID() };
  let answer: Answer;
  try {
    answer = await ctx.agent.request('POST', path, { body, headers });
  } catch (err) {
    if (!(err instanceof Unreachable)) throw err;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    answer = await ctx.agent.request('POST', path, { body, headers });
  }
  if (answer.status === 202) return answer.body as unknown as OperationView;
  return (await ctx.agent.request<OperationView>('GET', `/v1/operations/${Number(answer.body.auditId)}`)).body;
}

/** Prints how an operation ended and returns the exit code it means. */
export function reportEnd(ctx: CommandContext, { op, canceledHere, detached }: Followed): number {
  if (ctx.json) printJson(ctx, op);
  if (detached) return EXIT.interrupted;
  const stillRunning = op.status === 'succeeded' && op.result?.shutdown === 'still-running';
  if (!ctx.json) {
    const line = `${operationEnding(op)}${stillRunning ? ' (still running: the guest did not stop in time)' : ''}\n`;
    if (op.status === 'succeeded' && !stillRunning) ctx.io.out(line);
    else ctx.io.err(line);
  }
  if (op.status === 'succeeded') return stillRunning ? EXIT.failed : EXIT.ok;
  return op.status === 'canceled' && canceledHere ? EXIT.interrupted : EXIT.failed;
}
