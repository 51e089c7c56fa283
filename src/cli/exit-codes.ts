/** The client's exit codes: they follow the agent's answer. */

/** Exit codes, documented in the README and `govirthost help`. */
export const EXIT = {
  /** The request or action succeeded. */
  ok: 0,
  /** The action failed or the agent refused the request (4xx other than below, 5xx). */
  failed: 1,
  /** The command line is wrong. */
  usage: 2,
  /** The agent could not be reached, or its answer was not its JSON. */
  unreachable: 3,
  /** The domain, operation or record does not exist (404). */
  notFound: 4,
  /** No valid token, or the token's role may not do this (401, 403). */
  denied: 5,
  /** Busy: another action holds the domain, or a conflict (409). */
  conflict: 6,
  /** Ctrl-C: the operation was canceled, or left running. */
  interrupted: 130,
} as const;

/** The exit code for an HTTP status of the agent. */
export function exitForStatus(status: number): number {
  if (status < 400) return EXIT.ok;
  if (status === 404) return EXIT.notFound;
  if (status === 401 || status === 403) return EXIT.denied;
  if (status === 409) return EXIT.conflict;
  return EXIT.failed;
}
