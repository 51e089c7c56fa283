/**
 * The values settings take, parsed from text: listen addresses, sizes, durations, percentages,
 * rates, yes/no words and the migration URI template. Each parser throws an Error whose message
 * says what was expected.
 */
import { isIP } from 'node:net';
import * as v from 'valibot';
import { uriTemplateProblem } from '../libvirt/uri-rules.ts';

/** Where to listen; `host` undefined means every address (Node's default, :: and 0.0.0.0). */
export interface ListenAddress {
  host: string | undefined;
  port: number;
}

const TRUE_WORDS = ['1', 'true', 'yes'];
const BOOL_WORDS = [...TRUE_WORDS, '0', 'false', 'no'];
const SIZE_UNITS: Record<string, number> = {
  '': 1, b: 1, k: 1024, kib: 1024, kb: 1000, m: 1024 ** 2, mib: 1024 ** 2, mb: 1000 ** 2, g: 1024 ** 3, gib: 1024 ** 3, gb: 1000 ** 3,
};
const MAX_BODY = 1024 ** 3;
const MAX_SECONDS = 86_400;
const HOSTNAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** Parses HOST:PORT, [IPV6]:PORT or :PORT. */
export function parseListen(text: string): ListenAddress {
  const m = /^(?:\[([^\]]*)\]|([^:[\]]*)):(\d{1,5})$/.exec(text);
  if (!m) throw new Error('expected HOST:PORT, [IPV6]:PORT or :PORT');
  const port = Number(m[3]);
  if (port < 1 || port > 65535) throw new Error(`port ${port} is not between 1 and 65535`);
  if (m[1] !== undefined) {
    if (isIP(m[1]) !== 6) throw new Error(`'${m[1]}' is not an IPv6 address`);
    return { host: m[1], port };
  }
  const host = m[2] ?? '';
  if (host === '') return { host: undefined, port };
  if (isIP(host) === 4 || (HOSTNAME.test(host) && !/^[\d.]+$/.test(host))) return { host, port };
  throw new Error(`'${host}' is not an IPv4 address or a host name (write IPv6 in brackets)`);
}

/** Whether `host` is loopback: localhost, 127.0.0.0/8, ::1 (or ::ffff:127.x.y.z). */
export function isLoopbackHost(host: string | undefined): boolean {
  if (host === undefined) return false;
  if (host.toLowerCase() === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) !== 6) return false;
  try {
    const normal = new URL(`http://[${host}]/`).hostname;
    return normal === '[::1]' || normal.startsWith('[::ffff:7f');
  } catch {
    return false;
  }
}

/** Parses a byte size: `1048576`, `512KiB`, `1MiB`, `2MB` (k, m, g alone are binary). */
export function parseSize(text: string, max = MAX_BODY): number {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text);
  const unit = Object.hasOwn(SIZE_UNITS, (m?.[2] ?? '').toLowerCase()) ? SIZE_UNITS[(m?.[2] ?? '').toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new Error('expected bytes or a size such as 512KiB or 1MiB');
  const bytes = Number(m[1]) * unit;
  if (!Number.isInteger(bytes)) throw new Error('is not a whole number of bytes');
  if (bytes < 1 || bytes > max) throw new Error(`must be between 1 byte and ${max === MAX_BODY ? '1GiB' : `${max} bytes`}`);
  return bytes;
}

/** Parses a percentage from 0 to 100. */
export function parsePercent(text: string): number {
  const n = Number(text.replace(/%$/, ''));
  if (!/^\d+(?:\.\d+)?%?$/.test(text) || n > 100) throw new Error('expected a percentage from 0 to 100');
  return n;
}

/** Parses a whole number of events per minute, 1 to 100000. */
export function parseRate(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 100_000) throw new Error('expected a whole number from 1 to 100000');
  return n;
}

/** Parses seconds (`30`, `2.5`, `30s`) into milliseconds. */
export function parseSecondsMs(text: string): number {
  const m = /^(\d+(?:\.\d+)?)s?$/.exec(text);
  if (!m) throw new Error('expected a number of seconds such as 30');
  const ms = Math.round(Number(m[1]) * 1000);
  if (ms < 1 || ms > MAX_SECONDS * 1000) throw new Error(`must be more than 0 and at most ${MAX_SECONDS} seconds`);
  return ms;
}

const DURATION_UNITS: Record<string, number> = { '': 1000, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Parses a duration (`14d`, `36h`, `90m`, `3600s`, `3600`) into milliseconds. */
export function parseDurationMs(text: string): number {
  const m = /^(\d{1,9})\s*([smhdw]?)$/i.exec(text);
  if (!m) throw new Error('expected a duration such as 14d, 36h, 90m or 3600s');
  const ms = Number(m[1]) * DURATION_UNITS[(m[2] ?? '').toLowerCase()]!;
  if (ms < 1000) throw new Error('must be at least 1 second');
  return ms;
}

/** The migration URI template as given, once uriTemplateProblem finds nothing wrong with it. */
export function checkedUriTemplate(text: string): string {
  const problem = uriTemplateProblem(text);
  if (problem !== null) throw new Error(problem);
  return text;
}

/** A valibot action that runs `parse` and turns what it throws into an issue. */
export function parsedBy<T>(parse: (text: string) => T) {
  return v.rawTransform<string, T>(({ dataset, addIssue, NEVER }) => {
    try {
      return parse(dataset.value);
    } catch (err) {
      addIssue({ message: err instanceof Error ? err.message : String(err) });
      return NEVER;
    }
  });
}

/** A string setting that must not be empty. */
export const nonEmpty = v.pipe(v.string(), v.nonEmpty('must not be empty'));

/** A yes/no setting: 1/0, true/false, yes/no in any case. */
export const booleanWord = v.pipe(v.string(), v.toLowerCase(), v.picklist(BOOL_WORDS, `must be one of ${BOOL_WORDS.join(', ')}`),
  v.transform((word) => TRUE_WORDS.includes(word)));
