/**
 * Sends one generated request with node:http (which, unlike fetch, sends a body with GET and any
 * method) on its own connection, and reads the answer: status, headers and text. An event stream
 * is closed once its headers are in. A connection that ends without an answer comes back with the
 * error instead of a status.
 */
import http from 'node:http';
import type { HostileRequest } from './hostile-requests.ts';

/** What came back. status 0 means no answer (see error). */
export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  ms: number;
  error?: string;
}

/** The most answer text kept (a big page or history download is cut here). */
const MAX_TEXT = 4 * 1024 * 1024;

function headersOf(req: HostileRequest): http.OutgoingHttpHeaders {
  const headers: http.OutgoingHttpHeaders = { ...req.headers };
  if (req.body === undefined) return headers;
  if (req.chunked) headers['transfer-encoding'] = 'chunked';
  else headers['content-length'] = req.body.bytes.length;
  return headers;
}

/** Sends `req` to base (http://host:port) and resolves with the reply; never rejects. */
export function send(base: string, req: HostileRequest, timeoutMs = 20_000): Promise<Reply> {
  const started = performance.now();
  const url = new URL(base);
  return new Promise((resolve) => {
    let settled = false;
    let reply: Reply | null = null;
    const finish = (r: Reply) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...r, ms: performance.now() - started });
    };
    const out = http.request({ host: url.hostname, port: url.port, method: req.method, path: req.path, headers: headersOf(req), agent: false }, (res) => {
      reply = { status: res.statusCode ?? 0, headers: res.headers, text: '', ms: 0 };
      if (String(res.headers['content-type']).startsWith('text/event-stream')) {
        out.destroy();
        finish(reply);
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (d: Buffer) => { if ((size += d.length) <= MAX_TEXT) chunks.push(d); });
      res.on('end', () => finish({ ...reply!, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', () => finish({ ...reply!, text: Buffer.concat(chunks).toString('utf8') }));
    });
    const timer = setTimeout(() => {
      out.destroy();
      finish({ status: reply?.status ?? 0, headers: reply?.headers ?? {}, text: '', ms: 0, error: 'timeout' });
    }, timeoutMs);
    out.on('error', (err: NodeJS.ErrnoException) => {
      finish(reply ?? { status: 0, headers: {}, text: '', ms: 0, error: err.code ?? err.message });
    });
    writeBody(out, req);
  });
}

function writeBody(out: http.ClientRequest, req: HostileRequest): void {
  const bytes = req.body?.bytes;
  if (!bytes) return void out.end();
  if (!req.chunked || bytes.length < 2) return void out.end(bytes);
  const half = Math.floor(bytes.length / 2);
  out.write(bytes.subarray(0, half));
  out.end(bytes.subarray(half));
}
