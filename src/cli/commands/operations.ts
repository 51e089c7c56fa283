/** `govirthost ops [ID]` (list, one, or follow one) and `govirthost cancel ID`. */
import type { OperationView } from '../../operations/view.ts';
import { FlagError, numberFlag, type ClientCommand } from '../command.ts';
import { printJson, type CommandContext } from '../context.ts';
import { EXIT } from '../exit-codes.ts';
import { followOperation } from '../follow.ts';
import { describeProgress, formatDuration, hasEnded, operationEnding, operationLabel, table } from '../format.ts';
import { reportEnd } from './actions.ts';

/** `govirthost ops`: the operations, or one with its progress; `--follow` waits for its end. */
export const operations: ClientCommand = {
  name: 'ops', args: '[ID]', summary: 'operations, newest first (--status running: what runs now), or one operation', positionals: { min: 0, max: 1 },
  flags: { status: { type: 'string' }, domain: { type: 'string' }, action: { type: 'string' }, limit: { type: 'string' }, follow: { type: 'boolean' } },
  flagHelp: ['--status S  --domain D  --action A   filters', '--limit N   at most N (default 20)', '--follow    with ID: show its progress until it ends'],
  async run(ctx, [id], flags) {
    if (id !== undefined) return showOperation(ctx, operationId(id), flags.follow === true);
    if (flags.follow) throw new FlagError('--follow: give the operation ID');
    const limit = numberFlag(flags, 'limit', { min: 1, max: 500 }) ?? 20;
    const query = new URLSearchParams({ limit: String(limit) });
    for (const key of ['status', 'domain', 'action']) if (typeof flags[key] === 'string') query.set(key, flags[key]);
    const answer = await ctx.agent.request<{ operations: OperationView[] }>('GET', `/v1/operations?${query}`);
    if (ctx.json) return printJson(ctx, answer.body), EXIT.ok;
    const rows = answer.body.operations.map((op) => [String(op.id), op.createdAt.replace(/\.\d+Z$/, 'Z'), op.actor, operationLabel(op), statusText(op)]);
    ctx.io.out(table(['ID', 'CREATED', 'ACTOR', 'OPERATION', 'STATUS'], rows));
    return EXIT.ok;
  },
};

/** `govirthost cancel ID`. */
export const cancel: ClientCommand = {
  name: 'cancel', args: 'ID', summary: 'cancel a running operation', positionals: { min: 1, max: 1 },
  async run(ctx, [id]) {
    const answer = await ctx.agent.request<OperationView>('DELETE', `/v1/operations/${operationId(id!)}`);
    if (ctx.json) return printJson(ctx, answer.body), EXIT.ok;
    ctx.io.out(`${operationLabel(answer.body)}: cancel requested (operation ${answer.body.id})\n`);
    return EXIT.ok;
  },
};

async function showOperation(ctx: CommandContext, id: number, follow: boolean): Promise<number> {
  const op = (await ctx.agent.request<OperationView>('GET', `/v1/operations/${id}`)).body;
  if (follow) return reportEnd(ctx, hasEnded(op) ? { op, canceledHere: false, detached: false } : await followOperation(ctx, op));
  if (ctx.json) return printJson(ctx, op), EXIT.ok;
  ctx.io.out(hasEnded(op) ? `${operationEnding(op)}\n` : `${operationLabel(op)}: ${statusText(op)}\n`);
  return EXIT.ok;
}

function statusText(op: OperationView): string {
  if (hasEnded(op)) return `${op.status}${op.durationMs !== null ? ` in ${formatDuration(op.durationMs)}` : ''}${op.error ? ` (${op.error.code})` : ''}`;
  const { percent, text } = describeProgress(op.progress);
  return [op.status, percent !== null ? `${percent}%` : null, text || null].filter(Boolean).join(' ');
}

function operationId(raw: string): number {
  if (!/^\d{1,15}$/.test(raw)) throw new FlagError(`operation ID: must be a number, not ${raw.slice(0, 40)}`);
  return Number(raw);
}
