/** What every client command is given: the agent, the terminal, and the output choices. */
import type { Agent } from './agent.ts';
import type { ClientIo } from './io.ts';

/** A command's dependencies and the global flags. */
export interface CommandContext {
  agent: Agent;
  io: ClientIo;
  /** `--json`: print the agent's answers as JSON on stdout. */
  json: boolean;
  /** `--quiet`: no progress. */
  quiet: boolean;
}

/** Prints `value` as indented JSON on stdout. */
export function printJson(ctx: CommandContext, value: unknown): void {
  ctx.io.out(`${JSON.stringify(value, null, 2)}\n`);
}
