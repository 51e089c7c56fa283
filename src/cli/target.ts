/**
 * Which agent the client talks to and with which token: `--url` or $GOVIRTHOST_URL; the token from
 * $GOVIRTHOST_TOKEN, or a file (`--token-file`, $GOVIRTHOST_TOKEN_FILE, or
 * ~/.config/govirthost/token). Never a flag with the token itself: it would land in shell history.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The agent a client reaches when nothing else is said: the agent's own default listen address. */
export const DEFAULT_URL = 'http://127.0.0.1:8080';

/** A command-line problem; exit code 2. */
export class UsageError extends Error {}

/** The agent's base URL from `--url`, the environment or the default. */
export function agentUrl(flag: string | undefined, env: Record<string, string | undefined>): URL {
  const given = flag ?? env.GOVIRTHOST_URL ?? DEFAULT_URL;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(given) ? given : `http://${given}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new UsageError(`--url: not a URL: ${given}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--url: must be http:// or https://, not ${url.protocol}`);
  if (url.username || url.password) throw new UsageError('--url: must not carry credentials; give the token in $GOVIRTHOST_TOKEN or a token file');
  return url;
}

/** The token and where it came from (for messages), or null when none is configured. */
export function agentToken(flagFile: string | undefined, env: Record<string, string | undefined>, warn: (text: string) => void): string | null {
  if (flagFile !== undefined) return readTokenFile(flagFile, warn);
  const inEnv = env.GOVIRTHOST_TOKEN?.trim();
  if (inEnv) return inEnv;
  if (env.GOVIRTHOST_TOKEN_FILE) return readTokenFile(env.GOVIRTHOST_TOKEN_FILE, warn);
  const fallback = defaultTokenFile(env);
  return fs.existsSync(fallback) ? readTokenFile(fallback, warn) : null;
}

function defaultTokenFile(env: Record<string, string | undefined>): string {
  const config = env.XDG_CONFIG_HOME || path.join(env.HOME || os.homedir(), '.config');
  return path.join(config, 'govirthost', 'token');
}

function readTokenFile(file: string, warn: (text: string) => void): string {
  let text: string;
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) throw new UsageError(`token file ${file}: not a regular file`);
    if (stat.size > 4096) throw new UsageError(`token file ${file}: too large for a token`);
    if ((stat.mode & 0o077) !== 0) warn(`govirthost: warning: token file ${file} is readable by others (chmod 600 it)\n`);
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`token file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const token = text.trim();
  if (!token || /\s/.test(token)) throw new UsageError(`token file ${file}: must hold one token`);
  return token;
}
