/**
 * Requests node:http will not send, written to a socket as bytes: lowercase or malformed methods
 * and request lines, Content-Length that disagrees with the body (shorter, longer, negative,
 * twice), broken chunked coding, headers with NUL or folded lines, a head over 16 KiB. Node's own
 * parser refuses most of these with a bare 400 or 431 before the app sees them; what matters is
 * that nothing gets a 5xx, that what the app does answer is the envelope, and that the process
 * stays up. They never carry the admin token: a Content-Length shorter than the body could cut a
 * poisoned body down to a valid one.
 */
import net from 'node:net';
import fc from 'fast-check';
import { isPagePath } from './hostile-routes.ts';
import { pathSegment } from './hostile-values.ts';

/** One raw request: its bytes, shown briefly when fast-check reports it. */
export class RawRequest {
  constructor(readonly bytes: Buffer, readonly path: string) {}

  /** Whether the answer may be an HTML page (a /ui page, not its API). */
  get page(): boolean {
    return isPagePath(this.path);
  }

  [fc.toStringMethod](): string {
    return `raw ${JSON.stringify(this.bytes.subarray(0, 600).toString('latin1'))} (${this.bytes.length} B)`;
  }
}

/** One answer read off the socket: status, headers (names in lower case) and body. */
export interface RawReply {
  status: number;
  headers: Record<string, string>;
  text: string;
}

/** Mostly well-formed, so that the framing and header faults reach the app; now and then broken. */
const mostly = <T>(good: readonly T[], bad: readonly T[]) => fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...good) }, { weight: 1, arbitrary: fc.constantFrom(...bad) });
const METHODS = mostly(['GET', 'POST', 'DELETE'], ['get', 'Get', 'post', 'GET ', 'G\tET', 'GET\u0000', 'PRI', '\u00ffGET']);
const VERSIONS = mostly(['HTTP/1.1', 'HTTP/1.0'], ['HTTP/2.0', 'HTTP/1.1 x', 'http/1.1', 'HTTP/9', '']);
const PATHS = ['/', '/v1/domains', '/v1/domains/{name}/actions/start', '/v1/domains/{name}', '/ui/login', '/healthz', '*', 'v1', 'http://evil/v1/domains', '/\u00e9', '/a b'];

function framing(body: string): fc.Arbitrary<string> {
  const n = Buffer.byteLength(body);
  return fc.constantFrom(
    `Content-Length: ${n}\r\n\r\n${body}`,
    `Content-Length: ${Math.max(0, n - 3)}\r\n\r\n${body}`,
    `Content-Length: ${n + 50}\r\n\r\n${body}`,
    `Content-Length: -1\r\n\r\n${body}`,
    `Content-Length: ${n}\r\nContent-Length: ${n + 1}\r\n\r\n${body}`,
    `Content-Length: 99999999999999999999\r\n\r\n${body}`,
    `Content-Length: 0x10\r\n\r\n${body}`,
    `Transfer-Encoding: chunked\r\n\r\nzz\r\n${body}\r\n0\r\n\r\n`,
    `Transfer-Encoding: chunked\r\n\r\n${n.toString(16)}\r\n${body}\r\n`,
    `Transfer-Encoding: chunked\r\nContent-Length: ${n}\r\n\r\n${body}`,
    `Transfer-Encoding: gzip, chunked\r\n\r\n${body}`,
    '\r\n',
  );
}

function extraHeader(): fc.Arbitrary<string> {
  return mostly([''], ['X-A: b\u0000c\r\n', 'X-Folded: a\r\n b\r\n', 'NoColon\r\n', ': empty-name\r\n', 'X-Lf: a\nX-B: c\r\n',
    `X-Big: ${'h'.repeat(17 * 1024)}\r\n`, 'Host: second\r\n', 'Content-Type: application/json\r\n', 'Expect: 100-continue\r\n', 'Connection: upgrade\r\nUpgrade: websocket\r\n']);
}

/** A raw request with credentials of `viewer` (or none or junk), never an admin's. */
export function rawRequest(guests: readonly string[], viewer: string): fc.Arbitrary<RawRequest> {
  const auth = fc.constantFrom('', `Authorization: Bearer ${viewer}\r\n`, 'Authorization: Bearer x\r\n', `authorization:bearer ${viewer}\r\n`);
  const body = fc.constantFrom('', '{}', `{"domain":"${guests[0]}","action":"start"}`, '{"target":"vm"}', 'garbage', '{"a":');
  return fc.tuple(METHODS, fc.constantFrom(...PATHS), pathSegment(guests), VERSIONS, auth, extraHeader(), body)
    .chain(([method, path, name, version, creds, extra, b]) => framing(b).map((frame) => {
      const head = `${method} ${path.replace('{name}', () => name)} ${version}`.trimEnd();
      return new RawRequest(Buffer.from(`${head}\r\nHost: 127.0.0.1\r\n${creds}${extra}${frame}`, 'latin1'), path);
    }));
}

/** Writes the bytes, half-closes, and collects what comes back until the server closes or `timeoutMs` passes. */
export function sendRaw(port: number, req: RawRequest, timeoutMs = 3000): Promise<RawReply[]> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(port, '127.0.0.1');
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(parseReplies(Buffer.concat(chunks).toString('latin1')));
    };
    const timer = setTimeout(done, timeoutMs);
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', () => {}); // a reset after the answer is the server refusing the rest
    socket.on('close', done);
    socket.end(req.bytes);
  });
}

/** The answers in what came back, one per status line; a body is read by its Content-Length. */
export function parseReplies(text: string): RawReply[] {
  const replies: RawReply[] = [];
  let rest = text;
  for (let m = /HTTP\/1\.[01] (\d{3})[^\r\n]*\r\n/.exec(rest); m; m = /HTTP\/1\.[01] (\d{3})[^\r\n]*\r\n/.exec(rest)) {
    rest = rest.slice(m.index + m[0].length);
    const end = rest.indexOf('\r\n\r\n');
    const head = end >= 0 ? rest.slice(0, end) : rest;
    const headers = Object.fromEntries(head.split('\r\n').map((line) => line.split(/:\s*/, 2)).filter((kv) => kv.length === 2).map(([k, v]) => [k!.toLowerCase(), v!]));
    const length = Number(headers['content-length'] ?? 0);
    const body = end >= 0 ? rest.slice(end + 4, end + 4 + length) : '';
    replies.push({ status: Number(m[1]), headers, text: Buffer.from(body, 'latin1').toString('utf8') });
    rest = end >= 0 ? rest.slice(end + 4 + length) : '';
  }
  return replies;
}
