/**
 * Parses libvirt connection URIs (https://libvirt.org/uri.html) into where to connect and what to
 * ask the daemon to open.
 */
import { UnsupportedUriError } from './errors.ts';

/** The system daemon's read-write socket. */
export const DEFAULT_SOCKET = '/run/libvirt/libvirt-sock';
/** libvirtd's plain TCP port (listen_tcp). */
export const DEFAULT_TCP_PORT = 16509;

/** Where to connect and the URI to send in CONNECT_OPEN. */
export type Endpoint =
  | { transport: 'unix'; path: string; remoteUri: string; display: string }
  | { transport: 'tcp'; host: string; port: number; remoteUri: string; display: string };

const PLANNED_TRANSPORTS = new Set(['tls', 'ssh', 'libssh', 'libssh2', 'ext', 'fd']);
const SUPPORTED_PARAMS = new Set(['socket']);

/**
 * Turns `driver[+transport]://[host[:port]]/path[?socket=…]` into an Endpoint. The URI sent to the
 * daemon drops the transport, host and transport-only parameters, as libvirt's remote driver does
 * (`qemu+tcp://h/system` opens `qemu:///system`).
 */
export function parseLibvirtUri(uri: string): Endpoint {
  const match = /^([a-z][a-z0-9]*)(?:\+([a-z0-9]+))?:\/\/([^/?#]*)(\/[^?#]*)?(?:\?([^#]*))?$/i.exec(uri.trim());
  if (!match) throw new UnsupportedUriError(`'${uri}' is not a libvirt URI (expected driver[+transport]://[host]/path)`);
  const [, driver = '', transportGiven, authority = '', path = '/', query = ''] = match;
  const params = new URLSearchParams(query);
  for (const key of params.keys()) {
    if (!SUPPORTED_PARAMS.has(key)) throw new UnsupportedUriError(`URI parameter '${key}' in '${uri}' is not supported yet`);
  }
  const remoteUri = `${driver.toLowerCase()}://${path}`;
  const transport = (transportGiven ?? (authority ? 'tls' : 'unix')).toLowerCase();
  if (transport === 'unix') return unixEndpoint(uri, authority, params, remoteUri);
  if (transport === 'tcp') return tcpEndpoint(uri, authority, params, remoteUri);
  if (PLANNED_TRANSPORTS.has(transport)) {
    throw new UnsupportedUriError(`transport '${transport}' in '${uri}' is not supported yet; use unix or tcp`);
  }
  throw new UnsupportedUriError(`unknown transport '${transport}' in '${uri}'`);
}

function unixEndpoint(uri: string, authority: string, params: URLSearchParams, remoteUri: string): Endpoint {
  if (authority) throw new UnsupportedUriError(`a unix socket URI has no host: '${uri}'`);
  const path = params.get('socket') ?? DEFAULT_SOCKET;
  if (!path.startsWith('/')) throw new UnsupportedUriError(`socket path must be absolute in '${uri}'`);
  return { transport: 'unix', path, remoteUri, display: uri };
}

function tcpEndpoint(uri: string, authority: string, params: URLSearchParams, remoteUri: string): Endpoint {
  if (params.has('socket')) throw new UnsupportedUriError(`'socket' applies only to unix URIs: '${uri}'`);
  const at = authority.lastIndexOf('@');
  const hostPort = at >= 0 ? authority.slice(at + 1) : authority;
  const m = /^(?:\[([0-9a-f:.]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/i.exec(hostPort);
  if (!m) throw new UnsupportedUriError(`missing or malformed host in '${uri}'`);
  const host = m[1] ?? m[2] ?? '';
  const port = m[3] ? Number(m[3]) : DEFAULT_TCP_PORT;
  if (port < 1 || port > 65535) throw new UnsupportedUriError(`port ${port} out of range in '${uri}'`);
  return { transport: 'tcp', host, port, remoteUri, display: uri };
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '0.0.0.0', '::']);

/**
 * True when a migration destination URI points at this machine by name, which libvirt's client
 * library refuses before sending (virDomainMigrateCheckNotLocal).
 */
export function isLocalDestination(uri: string): boolean {
  const m = /^[a-z0-9+]+:\/\/(?:[^@/]*@)?(\[[^\]]*\]|[^:/?#]*)/i.exec(uri);
  const host = (m?.[1] ?? '').replace(/^\[|\]$/g, '').toLowerCase();
  return host === '' || LOCAL_HOSTS.has(host) || host.startsWith('localhost') || host.startsWith('127.');
}
