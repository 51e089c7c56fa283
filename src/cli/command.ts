/** The shape of a client command: its name, usage, flags and what it runs. */
import type { ParseArgsConfig } from 'node:util';
import type { CommandContext } from './context.ts';

/** The values of a command's flags, as node:util parseArgs gives them. */
export type FlagValues = Record<string, string | boolean | undefined>;

/** One subcommand of the client. */
export interface ClientCommand {
  name: string;
  /** Arguments after the name, for usage: "NAME", "[ID]". */
  args: string;
  summary: string;
  /** How many positional arguments it takes. */
  positionals: { min: number; max: number };
  flags?: NonNullable<ParseArgsConfig['options']>;
  /** Help lines for its flags. */
  flagHelp?: string[];
  /** Runs it; resolves with the exit code. */
  run(ctx: CommandContext, args: string[], flags: FlagValues): Promise<number>;
}

/** A whole number from flag `name`, or a usage error naming it. */
export function numberFlag(flags: FlagValues, name: string, bounds: { min: number; max: number }): number | undefined {
  const raw = flags[name];
  if (raw === undefined || typeof raw === 'boolean') return undefined;
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < bounds.min || Number(raw) > bounds.max) {
    throw new FlagError(`--${name}: must be a whole number from ${bounds.min} to ${bounds.max}`);
  }
  return Number(raw);
}

/** A flag's value is wrong; exit code 2. */
export class FlagError extends Error {}
