/**
 * Rules for the migration destination URIs that do not come from --libvirt-uri: the host a caller
 * names, the operator's URI template it is put into, and (only when the operator allows them) a
 * caller's whole URI. Syntax per https://libvirt.org/uri.html,
 * `driver[+transport]://[user@][host][:port]/path[?params]`; libvirt's remote driver splits the
 * params at '&' and ';', unescapes them, and compares their names without case (libvirt 9.0,
 * src/remote/remote_driver.c, src/util/viruri.c). Each check answers why not, or null.
 */
import { isIP } from 'node:net';

/** Parameters that make libvirt run a program, or choose or feed what it runs. Refused in the template and from callers. */
export const PROGRAM_PARAMS: Readonly<Record<string, string>> = {
  command: 'runs a program on this host (the ext transport)',
  netcat: 'names the program run on the remote host',
  proxy: 'chooses the program run on the remote host',
  socket: 'is put on the command line run on the remote host',
};

/** Further parameters a caller may not set: they turn off checks or point libvirt at other files. */
export const WEAKENING_PARAMS: Readonly<Record<string, string>> = {
  no_verify: 'turns off the TLS certificate check',
  known_hosts_verify: 'can turn off the SSH host key check',
  known_hosts: 'points SSH at another known-hosts file',
  keyfile: 'points SSH at another key file',
  pkipath: 'points TLS at other certificates',
  tls_priority: 'can weaken TLS',
  name: 'changes what the remote daemon opens',
};

/** The only parameters a caller's own URI may carry. */
export const CALLER_PARAMS: readonly string[] = ['mode', 'no_tty', 'sshauth'];

const TRANSPORTS = new Set(['', 'tcp', 'tls', 'ssh', 'libssh', 'libssh2']);
const URI = /^([a-z][a-z0-9]*)(?:\+([a-z0-9]+))?:\/\/([^/?#]*)(\/[^?#]*)?(?:\?([^#]*))?$/i;
const USER = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,31}$/;
const CALLER_URI_CHARS = /^[A-Za-z0-9._~:/?[\]@&=+;,-]*$/;
const CALLER_PATH = /^\/[A-Za-z0-9._/-]*$/;
const PARAM_NAME = /^[A-Za-z0-9_]+$/;
const CALLER_VALUE = /^[A-Za-z0-9._,-]*$/;

interface UriParts {
  transport: string;
  authority: string;
  path: string;
  query: string;
}

/** Why `text` is not `host[:port]` (an RFC 1123 host name, an IPv4 address, or an IPv6 address in brackets; port 1–65535), or null. */
export function hostPortProblem(text: string): string | null {
  if (text === '') return 'the host is empty';
  for (let i = 0; i < text.length; i++) {
    if (!/[A-Za-z0-9.:[\]-]/.test(text.charAt(i))) return `${describeChar(text, i)} is not allowed in a host name`;
  }
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close === -1) return 'an IPv6 address in brackets lacks its "]"';
    const v6 = text.slice(1, close);
    if (isIP(v6) !== 6) return `[${v6}] is not an IPv6 address`;
    return close === text.length - 1 ? null : portProblem(text.slice(close + 1));
  }
  const colon = text.indexOf(':');
  if (colon !== text.lastIndexOf(':')) return 'an IPv6 address must be in brackets, as [fd00::2] or [fd00::2]:16509';
  if (text.includes('[') || text.includes(']')) return 'brackets are only for an IPv6 address, as [fd00::2]';
  const host = colon === -1 ? text : text.slice(0, colon);
  return hostNameProblem(host) ?? (colon === -1 ? null : portProblem(text.slice(colon)));
}

function hostNameProblem(host: string): string | null {
  if (host === '') return 'the host is empty';
  if (host.length > 253) return `the host name is ${host.length} characters long; at most 253`;
  const labels = host.split('.');
  for (const label of labels) {
    if (label === '') return 'the host name has an empty label (".." or a dot at either end)';
    if (label.length > 63) return `a label of the host name is ${label.length} characters long; at most 63`;
    if (label.startsWith('-') || label.endsWith('-')) return `a label of the host name starts or ends with "-"`;
  }
  const last = labels[labels.length - 1] ?? '';
  if (/^[0-9]+$/.test(last) && isIP(host) !== 4) return `${host} is neither an IPv4 address nor a host name (the last label is all digits)`;
  return null;
}

function portProblem(suffix: string): string | null {
  if (!/^:[0-9]{1,5}$/.test(suffix)) return 'after the host only ":port" may follow, the port being a number';
  const port = Number(suffix.slice(1));
  return port >= 1 && port <= 65535 ? null : `port ${port} is not between 1 and 65535`;
}

/** Why a caller's full URI may not be a migration destination (even when URI targets are allowed), or null. */
export function callerUriProblem(uri: string): string | null {
  for (let i = 0; i < uri.length; i++) {
    if (!CALLER_URI_CHARS.test(uri.charAt(i))) return `${describeChar(uri, i)} is not allowed in a destination URI`;
  }
  const parts = splitUri(uri);
  if (typeof parts === 'string') return parts;
  if (!CALLER_PATH.test(parts.path)) return 'the URI path may hold only letters, digits and "._/-", as /system';
  const at = parts.authority.lastIndexOf('@');
  if (at !== -1 && !USER.test(parts.authority.slice(0, at))) return 'the user name before "@" may hold only letters, digits and "._-"';
  const hostProblem = hostPortProblem(parts.authority.slice(at + 1));
  if (hostProblem) return hostProblem;
  return paramsProblem(parts.query, callerParamProblem);
}

/** Why an operator's migration URI template is refused, or null: `{target}` exactly once, as the host, and no parameter that runs a program. */
export function uriTemplateProblem(template: string): string | null {
  const count = template.split('{target}').length - 1;
  if (count !== 1) return count === 0 ? 'must contain {target}' : 'must contain {target} exactly once';
  const rest = template.replace('{target}', '');
  for (let i = 0; i < rest.length; i++) {
    const c = rest.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f || `"'<>\\^\`{|}`.includes(rest.charAt(i))) return `${describeChar(rest, i)} is not allowed in the template`;
  }
  if (/%(?:[01][0-9a-f]|7f)/i.test(template)) return 'a percent escape of a control character is not allowed in the template';
  const parts = splitUri(template);
  if (typeof parts === 'string') return parts.startsWith('the URI is not') ? 'must be a URI such as qemu+tcp://{target}/system' : parts;
  if (!/^(?:[^@]*@)?\{target\}(?::[0-9]{1,5})?$/.test(parts.authority)) return 'must have {target} as the host, as qemu+tcp://{target}/system';
  const port = /:([0-9]+)$/.exec(parts.authority);
  if (port && portProblem(`:${port[1]}`)) return portProblem(`:${port[1]}`);
  return paramsProblem(parts.query, templateParamProblem);
}

/** Splits a URI into the parts the rules look at, or says why it is no libvirt URI. */
function splitUri(uri: string): UriParts | string {
  const m = URI.exec(uri);
  if (!m) return 'the URI is not driver[+transport]://host/path, as qemu+tcp://host/system';
  const transport = (m[2] ?? '').toLowerCase();
  if (transport === 'ext') return `transport 'ext' ${PROGRAM_PARAMS.command}`;
  if (!TRANSPORTS.has(transport)) return `transport '${transport}' cannot reach another host; use tcp, tls, ssh, libssh or libssh2`;
  return { transport, authority: m[3] ?? '', path: m[4] ?? '/', query: m[5] ?? '' };
}

/** Runs `check` on each parameter name (lower case) and value, split as libvirt splits them. */
function paramsProblem(query: string, check: (name: string, value: string) => string | null): string | null {
  if (query === '') return null;
  for (const param of query.split(/[&;]/)) {
    if (param === '') continue;
    const eq = param.indexOf('=');
    const raw = eq === -1 ? param : param.slice(0, eq);
    if (!PARAM_NAME.test(raw)) return 'a URI parameter name may hold only letters, digits and "_" (no escapes)';
    const problem = check(raw.toLowerCase(), eq === -1 ? '' : param.slice(eq + 1));
    if (problem) return problem;
  }
  return null;
}

function templateParamProblem(name: string): string | null {
  const why = PROGRAM_PARAMS[name];
  return why === undefined ? null : `parameter '${name}' is refused: it ${why}`;
}

function callerParamProblem(name: string, value: string): string | null {
  const why = PROGRAM_PARAMS[name] ?? WEAKENING_PARAMS[name];
  if (why !== undefined) return `parameter '${name}' is refused: it ${why}`;
  if (!CALLER_PARAMS.includes(name)) return `parameter '${name}' is not one a caller may set (only ${CALLER_PARAMS.join(', ')})`;
  return CALLER_VALUE.test(value) ? null : `the value of parameter '${name}' may hold only letters, digits and "._,-"`;
}

/** The character at `i` for a message, never the raw character when it is invisible: '/' , "a space", U+0000 (NUL). */
export function describeChar(text: string, i: number): string {
  const c = text.codePointAt(i) ?? 0;
  if (c === 0x20) return 'a space';
  if (c > 0x20 && c < 0x7f) return c === 0x27 ? `"'"` : `'${String.fromCharCode(c)}'`;
  return `U+${c.toString(16).toUpperCase().padStart(4, '0')}${c === 0 ? ' (NUL)' : ''}`;
}
