/**
 * `govirthost watch`: the agent's events as they happen, one line each (or one JSON object per line
 * with --json), until Ctrl-C; a broken stream is resumed from the last event seen.
 */
import type { ClientCommand } from '../command.ts';
import { Unreachable } from '../agent.ts';
import type { CommandContext } from '../context.ts';
import { EXIT } from '../exit-codes.ts';
import { describeProgress, operationLabel } from '../format.ts';
import type { OperationView } from '../../operations/view.ts';

/** `govirthost watch [--domain D] [--type T,…]`. */
export const watch: ClientCommand = {
  name: 'watch', args: '', summary: 'follow events: lifecycle, actions as they end, operations', positionals: { min: 0, max: 0 },
  flags: { domain: { type: 'string' }, type: { type: 'string' } },
  flagHelp: ['--domain D   one domain only', '--type T     lifecycle, reboot, audit, operation (comma-separated)'],
  async run(ctx, _args, flags) {
    const query = new URLSearchParams();
    if (typeof flags.domain === 'string') query.set('domain', flags.domain);
    if (typeof flags.type === 'string') query.set('type', flags.type);
    const stop = new AbortController();
    const off = ctx.io.onInterrupt(() => stop.abort());
    try {
      await streamEvents(ctx, `/v1/events${query.size ? `?${query}` : ''}`, stop.signal);
    } finally {
      off();
    }
    return EXIT.ok;
  },
};

async function streamEvents(ctx: CommandContext, path: string, signal: AbortSignal): Promise<void> {
  let lastId: string | undefined;
  let failures = 0;
  while (!signal.aborted) {
    try {
      for await (const message of ctx.agent.events(path, signal, lastId)) {
        failures = 0;
        if (message.id) lastId = message.id;
        ctx.io.out(ctx.json ? `${message.data}\n` : `${eventLine(JSON.parse(message.data) as EventJson)}\n`);
      }
    } catch (err) {
      if (!(err instanceof Unreachable) || (failures += 1) > 5) throw err;
      ctx.io.err(`govirthost: ${err.message}; resuming\n`);
    }
    if (!signal.aborted) await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

interface EventJson {
  type: string;
  at?: string;
  domain?: string | null;
  event?: string;
  detail?: string;
  action?: string;
  actor?: string;
  outcome?: string;
  errorCode?: string | null;
  operation?: OperationView;
  message?: string;
}

/** One event as a line: time, type, domain and what happened. */
function eventLine(e: EventJson): string {
  const at = (e.at ?? new Date().toISOString()).replace(/\.\d+Z$/, 'Z');
  const what = (() => {
    if (e.type === 'lifecycle' || e.type === 'reboot') return [e.event ?? e.type, e.detail].filter(Boolean).join(' ');
    if (e.type === 'audit') return `${e.action} by ${e.actor}: ${e.outcome}${e.errorCode ? ` (${e.errorCode})` : ''}`;
    if (e.type === 'operation' && e.operation) {
      const { percent, text } = describeProgress(e.operation.progress);
      return `${operationLabel(e.operation)} [${e.operation.id}]: ${e.operation.status}${percent !== null ? ` ${percent}%` : ''}${text ? `, ${text}` : ''}`;
    }
    return e.message ?? '';
  })();
  return `${at}  ${e.type.padEnd(9)}  ${(e.domain ?? '-').padEnd(16)}  ${what}`;
}
