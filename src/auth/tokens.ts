/**
 * Bearer tokens with roles, stored hashed in a JSON file:
 * `{ "tokens": [ { "name", "role", "hash": "sha256:<hex>", "createdAt" } ] }`.
 *
 * A token is `gvh_` + 32 random bytes in base64url. Only SHA-256 of the whole token is stored: the
 * token carries 256 bits of randomness, so a fast hash is safe here; a slow KDF (bcrypt, scrypt,
 * argon2) protects low-entropy passwords from guessing, and nobody can guess 2^256 values.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync, fchmodSync, fchownSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync, type Stats,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import * as v from 'valibot';

/** Roles, least to most powerful. */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
/** viewer: reads and history; operator: + power actions; admin: everything (define, create, migrate, …). */
export type Role = (typeof ROLES)[number];

/** Whether a caller with `role` may do what needs `required` (viewer < operator < admin). */
export function roleAllows(role: Role, required: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(required);
}

/** What a token's name must look like. */
export const TOKEN_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
/** Every token starts with this, so leaked ones are easy to spot (and scan for). */
export const TOKEN_PREFIX = 'gvh_';

const HASH = /^sha256:[0-9a-f]{64}$/;

const EntrySchema = v.object({
  name: v.pipe(v.string(), v.regex(TOKEN_NAME, 'must match [a-z0-9][a-z0-9._-]{0,63}')),
  role: v.picklist(ROLES, `must be one of ${ROLES.join(', ')}`),
  hash: v.pipe(v.string(), v.regex(HASH, 'must be sha256: and 64 lowercase hex digits')),
  createdAt: v.pipe(v.string(), v.isoTimestamp('must be an ISO 8601 timestamp')),
});
const FileSchema = v.object({ tokens: v.array(EntrySchema, 'must be an array') }, 'must be an object with a "tokens" array');

/** One stored token: never the token itself, only its hash. */
export type TokenEntry = v.InferOutput<typeof EntrySchema>;

/** Who a verified token belongs to. */
export interface TokenIdentity {
  name: string;
  role: Role;
}

/** A tokens file that cannot be read or does not validate; the message names the file and entry. */
export class TokenFileError extends Error {
  override name = 'TokenFileError';
}

/** `sha256:<hex>` of a token, as stored. */
export function hashToken(token: string): string {
  return `sha256:${createHash('sha256').update(token, 'utf8').digest('hex')}`;
}

/** Validates the text of a tokens file; `path` is only for messages. */
export function parseTokenFile(text: string, path: string): TokenEntry[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new TokenFileError(`tokens file ${path} is not valid JSON: ${(err as Error).message}`);
  }
  const result = v.safeParse(FileSchema, json);
  if (!result.success) throw new TokenFileError(`tokens file ${path}: ${describeIssue(result.issues[0], json)}`);
  const seenNames = new Set<string>();
  const seenHashes = new Set<string>();
  for (const [i, entry] of result.output.tokens.entries()) {
    if (seenNames.has(entry.name)) throw new TokenFileError(`tokens file ${path}: tokens[${i}] ("${entry.name}"): name appears twice`);
    if (seenHashes.has(entry.hash)) throw new TokenFileError(`tokens file ${path}: tokens[${i}] ("${entry.name}"): hash appears twice`);
    seenNames.add(entry.name);
    seenHashes.add(entry.hash);
  }
  return result.output.tokens;
}

/** `tokens[3] ("ops-bob").role: must be one of …` from a valibot issue. */
function describeIssue(issue: v.BaseIssue<unknown> | undefined, json: unknown): string {
  if (!issue) return 'invalid';
  const keys = (issue.path ?? []).map((item) => item.key as string | number);
  const message = issue.type === 'object' && issue.received === 'undefined' && keys.length > 0 ? 'is missing' : issue.message;
  if (keys[0] !== 'tokens' || typeof keys[1] !== 'number') return `${keys.join('.') || 'top level'}: ${message}`;
  const entry = (json as { tokens: unknown[] }).tokens[keys[1]];
  const name = typeof entry === 'object' && entry !== null && typeof (entry as { name?: unknown }).name === 'string'
    ? ` ("${(entry as { name: string }).name}")` : '';
  const field = keys.slice(2).join('.');
  return `tokens[${keys[1]}]${name}${field ? `.${field}` : ''}: ${message}`;
}

/** Reads and validates a tokens file. */
export function loadTokens(path: string): TokenEntry[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new TokenFileError(`cannot read tokens file ${path}: ${(err as Error).message}`);
  }
  return parseTokenFile(text, path);
}

/** Checks presented bearer tokens against the stored hashes. */
export class TokenVerifier {
  readonly #byHash = new Map<string, TokenIdentity>();

  constructor(entries: readonly TokenEntry[]) {
    for (const { hash, name, role } of entries) this.#byHash.set(hash, { name, role });
  }

  /** How many tokens are known. */
  get size(): number {
    return this.#byHash.size;
  }

  /**
   * The token's owner, or null. No secret is compared character by character: the presented token
   * is hashed and its hash looked up, so timing can reveal at most something about a SHA-256 of
   * the attacker's own input, which says nothing about any stored token.
   */
  verify(presented: string): TokenIdentity | null {
    if (typeof presented !== 'string' || !presented.startsWith(TOKEN_PREFIX) || presented.length > 256) return null;
    const found = this.#byHash.get(hashToken(presented));
    return found ? { ...found } : null;
  }
}

/** A fresh token: `gvh_` + 32 random bytes, base64url. */
export function generateToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/**
 * Adds a token named `name` with `role` to the file at `path` and returns the token (show it once:
 * only its hash is kept). Creates the file (mode 0600) if missing; otherwise keeps its mode and,
 * where permitted, its owner. Writes a temporary file and renames it over, so readers see the old
 * file or the new one, never half of one. Two runs at the same moment may lose one of the two.
 */
export function createToken(path: string, name: string, role: Role, now: Date = new Date()): string {
  if (!TOKEN_NAME.test(name)) throw new TokenFileError(`token name '${name}' must match [a-z0-9][a-z0-9._-]{0,63}`);
  if (!(ROLES as readonly string[]).includes(role)) throw new TokenFileError(`role '${role}' must be one of ${ROLES.join(', ')}`);
  const existing = statOrNull(path);
  const entries = existing ? loadTokens(path) : [];
  if (entries.some((e) => e.name === name)) throw new TokenFileError(`a token named '${name}' already exists in ${path}`);
  const token = generateToken();
  entries.push({ name, role, hash: hashToken(token), createdAt: now.toISOString() });
  writeAtomically(path, `${JSON.stringify({ tokens: entries }, null, 2)}\n`, existing);
  return token;
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new TokenFileError(`cannot read tokens file ${path}: ${(err as Error).message}`);
  }
}

function writeAtomically(path: string, text: string, existing: Stats | null): void {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(temp, 'wx', 0o600);
  try {
    fchmodSync(fd, existing ? existing.mode & 0o777 : 0o600);
    if (existing) keepOwner(fd, existing);
    writeSync(fd, text);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw err;
  }
  closeSync(fd);
  try {
    renameSync(temp, path);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
  syncDirectory(dirname(path));
}

/** Gives the new file the old one's owner (root running `token create` for a service user's file). */
function keepOwner(fd: number, existing: Stats): void {
  try {
    fchownSync(fd, existing.uid, existing.gid);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
  }
}

function syncDirectory(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try { fsyncSync(fd); } finally { closeSync(fd); }
  } catch {
    // Some filesystems refuse fsync on a directory; the rename has happened either way.
  }
}
