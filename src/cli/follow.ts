/**
 * Following an operation to its end: a long poll of GET /v1/operations/{id}?wait= for the end, the
 * event stream for its progress in between. Ctrl-C asks whether to cancel it (DELETE), to keep
 * waiting, or (no answer, or Ctrl-C again) to leave it running and exit.
 */
import type { OperationView } from '../operations/view.ts';
import { Unreachable, type Agent } from './agent.ts';
import type { CommandContext } from './context.ts';
import { hasEnded, operationLabel } from './format.ts';
import { progressDisplay, type ProgressDisplay } from './progress.ts';

/** How following ended. */
export interface Followed {
  op: OperationView;
  /** The caller asked to cancel it here. */
  canceledHere: boolean;
  /** Left running after Ctrl-C. */
  detached: boolean;
}

/** Seconds of one long poll: short enough to show progress even without the event stream. */
const POLL_WAIT_SECONDS = 10;
const INTERRUPT: unique symbol = Symbol('interrupt');

/** Follows `first` until it ends or the caller leaves it. */
export async function followOperation(ctx: CommandContext, first: OperationView): Promise<Followed> {
  const display = holdable(progressDisplay(ctx.io, ctx.quiet));
  const streaming = new AbortController();
  void showStreamedProgress(ctx.agent, first, display, streaming.signal);
  let interrupted = signalOnce();
  const off = ctx.io.onInterrupt(() => interrupted.fire());
  let op = first;
  let canceledHere = false;
  let poll: Promise<OperationView> | null = null;
  display.update(op);
  try {
    while (!hasEnded(op)) {
      poll ??= pollOperation(ctx.agent, op.id);
      const next = await Promise.race([poll, interrupted.fired.then((): typeof INTERRUPT => INTERRUPT)]);
      if (next !== INTERRUPT) {
        poll = null;
        op = next;
        if (!hasEnded(op)) display.update(op);
        continue;
      }
      interrupted = signalOnce();
      display.hold(true);
      const choice = await askOnInterrupt(ctx, op);
      display.hold(false);
      if (choice === 'leave') return { op, canceledHere, detached: true };
      if (choice === 'cancel') canceledHere = await requestCancel(ctx, op) || canceledHere;
    }
    return { op, canceledHere, detached: false };
  } finally {
    off();
    streaming.abort();
    display.stop();
  }
}

/** The operation's state after a long poll; a few retries when the agent is briefly unreachable. */
async function pollOperation(agent: Agent, id: number): Promise<OperationView> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return (await agent.request<OperationView>('GET', `/v1/operations/${id}?wait=${POLL_WAIT_SECONDS}`, { timeoutMs: (POLL_WAIT_SECONDS + 60) * 1000 })).body;
    } catch (err) {
      if (!(err instanceof Unreachable) || attempt >= 5) throw err;
      await new Promise((resolve) => setTimeout(resolve, attempt * 1000));
    }
  }
}

/** Updates `display` from the operation's events until `signal` aborts; silent when the stream fails. */
async function showStreamedProgress(agent: Agent, op: OperationView, display: ProgressDisplay, signal: AbortSignal): Promise<void> {
  const domain = op.domain ? `&domain=${encodeURIComponent(op.domain)}` : '';
  try {
    for await (const message of agent.events(`/v1/events?type=operation${domain}`, signal)) {
      const event = JSON.parse(message.data) as { operation?: OperationView };
      if (!signal.aborted && event.operation?.id === op.id && !hasEnded(event.operation)) display.update(event.operation);
    }
  } catch {
    // progress still arrives with each long poll
  }
}

async function askOnInterrupt(ctx: CommandContext, op: OperationView): Promise<'cancel' | 'wait' | 'leave'> {
  const label = operationLabel(op);
  if (!op.cancelable) {
    ctx.io.err(`\n${label} cannot be canceled; it goes on (follow it with: govirthost ops ${op.id} --follow)\n`);
    return 'leave';
  }
  const answer = await ctx.io.ask(`\nCancel ${label} (operation ${op.id})? [y/N] `);
  if (answer === null) {
    ctx.io.err(`\n${label} goes on (follow it with: govirthost ops ${op.id} --follow)\n`);
    return 'leave';
  }
  if (/^\s*y(es)?\s*$/i.test(answer)) return 'cancel';
  ctx.io.err('still waiting (Ctrl-C to ask again)\n');
  return 'wait';
}

async function requestCancel(ctx: CommandContext, op: OperationView): Promise<boolean> {
  try {
    await ctx.agent.request('DELETE', `/v1/operations/${op.id}`);
    ctx.io.err(`canceling ${operationLabel(op)}…\n`);
    return true;
  } catch (err) {
    ctx.io.err(`could not cancel: ${(err as Error).message}\n`);
    return false;
  }
}

/** `display`, which shows nothing while held (a question is on the terminal). */
function holdable(display: ProgressDisplay): ProgressDisplay & { hold(held: boolean): void } {
  let held = false;
  return {
    update: (op) => { if (!held) display.update(op); },
    stop: () => display.stop(),
    hold: (on) => {
      held = on;
      if (on) display.stop();
    },
  };
}

/** A one-shot signal: `fire()` resolves `fired`. */
function signalOnce(): { fired: Promise<void>; fire: () => void } {
  let fire = () => {};
  const fired = new Promise<void>((resolve) => { fire = resolve; });
  return { fired, fire };
}
