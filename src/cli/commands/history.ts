/** `govirthost history`: the audit log, newest first, with its filters. */
import { numberFlag, type ClientCommand } from '../command.ts';
import { printJson } from '../context.ts';
import { EXIT } from '../exit-codes.ts';
import { formatDuration, table } from '../format.ts';

interface HistoryRecord {
  id: number;
  receivedAt: number;
  durationMs: number | null;
  actor: string;
  action: string;
  domain: string | null;
  outcome: string;
  httpStatus: number | null;
  errorCode: string | null;
}

/** `govirthost history [--domain D] [--action A] [--outcome O] [--actor A] [--since T] [--limit N]`. */
export const history: ClientCommand = {
  name: 'history', args: '', summary: 'the audit log: every action and its result, newest first', positionals: { min: 0, max: 0 },
  flags: {
    domain: { type: 'string' }, action: { type: 'string' }, outcome: { type: 'string' }, actor: { type: 'string' },
    since: { type: 'string' }, until: { type: 'string' }, limit: { type: 'string' },
  },
  flagHelp: ['--domain D  --action A  --outcome O  --actor A   filters', '--since T  --until T   ISO 8601 times', '--limit N   at most N records (default 20)'],
  async run(ctx, _args, flags) {
    const limit = numberFlag(flags, 'limit', { min: 1, max: 500 }) ?? 20;
    const query = new URLSearchParams({ limit: String(limit) });
    for (const key of ['domain', 'action', 'outcome', 'actor', 'since', 'until']) {
      if (typeof flags[key] === 'string') query.set(key, flags[key]);
    }
    const answer = await ctx.agent.request<{ records: HistoryRecord[]; nextCursor: string | null }>('GET', `/v1/history?${query}`);
    if (ctx.json) return printJson(ctx, answer.body), EXIT.ok;
    const rows = answer.body.records.map((r) => [
      String(r.id), new Date(r.receivedAt).toISOString().replace(/\.\d+Z$/, 'Z'), r.actor, r.action, r.domain ?? '-',
      r.errorCode ? `${r.outcome} (${r.errorCode})` : r.outcome, r.durationMs === null ? '-' : formatDuration(r.durationMs),
    ]);
    ctx.io.out(table(['ID', 'WHEN', 'ACTOR', 'ACTION', 'DOMAIN', 'OUTCOME', 'TOOK'], rows));
    return EXIT.ok;
  },
};
