/**
 * The command-line client: `govirthost ls|show|xml|start|shutdown|…|migrate|history|ops|cancel|watch`
 * against a local or remote agent. Parses the command line, runs the command, prints the agent's
 * refusals, and returns the exit code (see exit-codes.ts).
 */
import { parseArgs } from 'node:util';
import { AgentError, Agent, Unreachable } from './agent.ts';
import { FlagError, type ClientCommand } from './command.ts';
import { printJson, type CommandContext } from './context.ts';
import { EXIT, exitForStatus } from './exit-codes.ts';
import type { ClientIo } from './io.ts';
import { UsageError, agentToken, agentUrl } from './target.ts';
import * as actions from './commands/actions.ts';
import * as domains from './commands/domains.ts';
import { history } from './commands/history.ts';
import { cancel, operations } from './commands/operations.ts';
import { watch } from './commands/watch.ts';

const COMMANDS: ClientCommand[] = [
  domains.list, domains.show, domains.xml,
  actions.start, actions.shutdown, actions.reboot, actions.reset, actions.destroy, actions.suspend, actions.resume, actions.migrate,
  history, operations, cancel, watch,
];

/** The first words that run the client rather than the agent. */
export const CLIENT_COMMANDS: ReadonlySet<string> = new Set([...COMMANDS.map((c) => c.name), 'help']);

const GLOBAL_FLAGS = {
  url: { type: 'string' }, 'token-file': { type: 'string' }, json: { type: 'boolean' }, quiet: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
} as const;

/** The client's usage text. */
export function clientUsage(): string {
  const width = Math.max(...COMMANDS.map((c) => `${c.name} ${c.args}`.length));
  return `Usage: govirthost COMMAND [ARGS] [FLAGS]

Commands:
${COMMANDS.map((c) => `  ${`${c.name} ${c.args}`.padEnd(width)}  ${c.summary}`).join('\n')}

Flags for every command:
  --url URL          the agent (default $GOVIRTHOST_URL, else http://127.0.0.1:8080)
  --token-file PATH  the file holding the token (default $GOVIRTHOST_TOKEN, else
                     $GOVIRTHOST_TOKEN_FILE, else ~/.config/govirthost/token)
  --json             print the agent's answers as JSON
  --quiet            no progress
'govirthost help COMMAND' shows a command's own flags. Without a command, govirthost runs the agent
(govirthost --help for its settings).

Exit codes: 0 done, 1 failed or refused, 2 bad usage, 3 agent unreachable, 4 not found,
5 no valid token or not allowed, 6 busy or conflict, 130 canceled or left running with Ctrl-C.
`;
}

/** Runs the client with `argv` (from the command name on); resolves with the exit code. */
export async function runClient(argv: string[], io: ClientIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === 'help') return help(rest[0], io);
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) return usageFailure(io, `unknown command: ${name}`);
  try {
    const { values, positionals } = parseArgs({ args: rest, options: { ...GLOBAL_FLAGS, ...command.flags }, allowPositionals: true, strict: true });
    if (values.help) return help(command.name, io);
    if (positionals.length < command.positionals.min || positionals.length > command.positionals.max) {
      throw new UsageError(`usage: govirthost ${command.name} ${command.args}`.trimEnd());
    }
    const ctx = commandContext(values, io);
    return await runCommand(command, ctx, positionals, values);
  } catch (err) {
    if (err instanceof UsageError || err instanceof FlagError || isParseArgsError(err)) return usageFailure(io, (err as Error).message);
    throw err;
  }
}

function commandContext(values: Record<string, string | boolean | undefined>, io: ClientIo): CommandContext {
  const url = agentUrl(values.url as string | undefined, io.env);
  const token = agentToken(values['token-file'] as string | undefined, io.env, io.err);
  return { agent: new Agent(url, token), io, json: values.json === true, quiet: values.quiet === true };
}

async function runCommand(command: ClientCommand, ctx: CommandContext, args: string[], flags: Record<string, string | boolean | undefined>): Promise<number> {
  try {
    return await command.run(ctx, args, flags);
  } catch (err) {
    if (err instanceof AgentError) return refused(ctx, err);
    if (err instanceof Unreachable) {
      ctx.io.err(`govirthost: cannot reach the agent: ${err.message}\n`);
      return EXIT.unreachable;
    }
    throw err;
  }
}

/** Prints the agent's refusal (its code, message and the fields at fault) and returns its exit code. */
function refused(ctx: CommandContext, err: AgentError): number {
  if (ctx.json) printJson(ctx, err.body);
  const fields = (err.body as { error?: { fields?: { field: string; message: string }[] } }).error?.fields ?? [];
  const detail = fields.map((f) => `\n  ${f.field}: ${f.message}`).join('');
  const hint = err.status === 401 ? '\n  (give a token in $GOVIRTHOST_TOKEN or a token file)' : '';
  ctx.io.err(`govirthost: ${err.code}: ${err.message}${detail}${hint}\n`);
  return exitForStatus(err.status);
}

function help(name: string | undefined, io: ClientIo): number {
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.out(clientUsage());
    return name === undefined ? EXIT.ok : EXIT.usage;
  }
  io.out(`Usage: govirthost ${command.name} ${command.args}\n${command.summary}\n${(command.flagHelp ?? []).map((l) => `  ${l}\n`).join('')}`);
  return EXIT.ok;
}

function usageFailure(io: ClientIo, message: string): number {
  io.err(`govirthost: ${message}\n(govirthost help for the commands)\n`);
  return EXIT.usage;
}

function isParseArgsError(err: unknown): boolean {
  return err instanceof TypeError && typeof (err as NodeJS.ErrnoException).code === 'string' && (err as NodeJS.ErrnoException).code!.startsWith('ERR_PARSE_ARGS');
}
