/**
 * `govirthost token create|list`: make a token (shown once) or list the tokens (never their hashes).
 */
import { parseArgs } from 'node:util';
import { ROLES, TokenFileError, createToken, loadTokens, type Role } from './tokens.ts';

/** Where the CLI writes and which environment it reads; tests pass their own. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
}

const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
};

/** Usage for `govirthost token`. */
export const TOKEN_USAGE = `Usage: govirthost token create --name NAME --role ${ROLES.join('|')} --tokens-file PATH
       govirthost token list --tokens-file PATH
--tokens-file defaults to $GOVIRTHOST_TOKENS_FILE.
`;

class UsageError extends Error {}

/**
 * Runs `govirthost token …`; `argv` starts at the subcommand (`['create', '--name', …]`).
 * Returns the exit code: 0 done, 1 failed, 2 bad usage.
 */
export async function runTokenCli(argv: string[], io: CliIo = processIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'create') return create(rest, io);
    if (command === 'list') return list(rest, io);
    if (command === 'help' || command === '--help' || command === '-h') {
      io.stdout(TOKEN_USAGE);
      return 0;
    }
    throw new UsageError(command === undefined ? 'missing subcommand' : `unknown subcommand '${command}'`);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`govirthost token: ${err.message}\n${TOKEN_USAGE}`);
      return 2;
    }
    if (err instanceof TokenFileError) {
      io.stderr(`govirthost token: ${err.message}\n`);
      return 1;
    }
    io.stderr(`govirthost token: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

function create(argv: string[], io: CliIo): number {
  const flags = parse(argv, ['name', 'role', 'tokens-file']);
  const name = required(flags, 'name');
  const role = required(flags, 'role');
  if (!(ROLES as readonly string[]).includes(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
  const path = tokensFile(flags, io);
  const token = createToken(path, name, role as Role);
  // The token alone on stdout (so TOKEN=$(govirthost token create …) captures just it); the note on stderr.
  io.stdout(`${token}\n`);
  io.stderr(`Token '${name}' (${role}) added to ${path}. Copy it now: it will not be shown again.\n`);
  return 0;
}

function list(argv: string[], io: CliIo): number {
  const path = tokensFile(parse(argv, ['tokens-file']), io);
  const entries = loadTokens(path);
  if (entries.length === 0) {
    io.stdout(`no tokens in ${path}\n`);
    return 0;
  }
  const width = Math.max(4, ...entries.map((e) => e.name.length)) + 2;
  const lines = [`${'NAME'.padEnd(width)}${'ROLE'.padEnd(10)}CREATED`];
  for (const e of entries) lines.push(`${e.name.padEnd(width)}${e.role.padEnd(10)}${e.createdAt}`);
  io.stdout(`${lines.join('\n')}\n`);
  return 0;
}

function parse(argv: string[], names: string[]): Record<string, string | undefined> {
  const options = Object.fromEntries(names.map((n) => [n, { type: 'string' as const }]));
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values as Record<string, string | undefined>;
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0] ?? 'bad arguments');
  }
}

function required(flags: Record<string, string | undefined>, name: string): string {
  const value = flags[name];
  if (value === undefined || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

function tokensFile(flags: Record<string, string | undefined>, io: CliIo): string {
  const path = flags['tokens-file'] || io.env['GOVIRTHOST_TOKENS_FILE'];
  if (!path) throw new UsageError('--tokens-file (or GOVIRTHOST_TOKENS_FILE) is required');
  return path;
}
