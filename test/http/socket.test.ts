/**
 * The seed protocol over a real listening socket, spoken as Go's net/http does: GET / with a JSON
 * body, a Content-Length and no Content-Type. Also the body limit and malformed JSON on the wire.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { createApp } from '../../src/app.ts';
import { buildTestApp, type TestApp } from '../support/app.ts';
import { oneAudit } from '../support/http.ts';

const LIMIT = 512;

interface Raw { status: number; headers: Record<string, string>; body: string }

/** Sends raw request bytes on a fresh connection and parses the one answer (the server closes: Connection: close). */
function rawRequest(port: number, head: string, body: Buffer | string = ''): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    sock.setTimeout(10_000, () => sock.destroy(new Error('socket timeout')));
    sock.on('data', (c) => chunks.push(c));
    sock.on('error', reject);
    sock.on('close', () => {
      try { resolve(parse(Buffer.concat(chunks).toString('latin1'))); } catch (err) { reject(err); }
    });
    sock.write(Buffer.concat([Buffer.from(head), Buffer.from(body)])); // no half-close: Go keeps writing side open
  });
}

/** The same, written in pieces `gapMs` apart (a slow client: the body arrives after the headers). */
async function rawRequestInPieces(port: number, pieces: string[], gapMs: number): Promise<Raw> {
  const [first = '', ...rest] = pieces;
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    sock.on('data', (c) => chunks.push(c));
    sock.on('error', reject);
    sock.on('close', () => {
      try { resolve(parse(Buffer.concat(chunks).toString('latin1'))); } catch (err) { reject(err); }
    });
    sock.write(first);
    rest.forEach((piece, i) => setTimeout(() => sock.write(piece), gapMs * (i + 1)));
  });
}

function parse(text: string): Raw {
  const split = text.indexOf('\r\n\r\n');
  assert.ok(split > 0, `no HTTP head in ${JSON.stringify(text.slice(0, 200))}`);
  const [statusLine = '', ...lines] = text.slice(0, split).split('\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1]);
  const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
  let body = text.slice(split + 4);
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) body = unchunk(body);
  return { status, headers, body: Buffer.from(body, 'latin1').toString('utf8') };
}

function unchunk(text: string): string {
  let out = '';
  let rest = text;
  for (;;) {
    const eol = rest.indexOf('\r\n');
    const size = parseInt(rest.slice(0, eol), 16);
    if (!size) return out;
    out += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 2 + size + 2);
  }
}

/** A request as Go's http.NewRequest + Client.Do writes it: Content-Length, no Content-Type. */
function goRequest(method: string, body: string, extra = ''): [string, string] {
  const head = `${method} / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: Go-http-client/1.1\r\n`
    + `Content-Length: ${Buffer.byteLength(body)}\r\nAccept-Encoding: gzip\r\nConnection: close\r\n${extra}\r\n`;
  return [head, body];
}

describe('seed protocol over a real socket', () => {
  let t: TestApp;
  let server: ServerType;
  let port: number;
  const send = (method: string, body: string, extra = '') => rawRequest(port, ...goRequest(method, body, extra));

  before(async () => {
    t = await buildTestApp({ settings: { bodyLimitBytes: LIMIT } });
    await new Promise<void>((resolve) => {
      server = serve({ fetch: createApp(t.deps).fetch, port: 0, hostname: '127.0.0.1' }, () => resolve());
    });
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await t.close();
  });

  test('GET / with a JSON body {"target":"vm","domain":""} and no Content-Type', async () => {
    const r = await send('GET', '{"target":"vm","domain":""}');
    assert.equal(r.status, 200, r.body);
    assert.match(r.headers['content-type'] ?? '', /^application\/json/);
    assert.match(r.body, /^\{"domains":\[\{"domain":\{"Name":"test","UUID":\[(\d{1,3},){15}\d{1,3}\],"ID":\d+\},"state":"running"\}/);
    assert.deepEqual(Object.keys(JSON.parse(r.body).domains[0].domain), ['Name', 'UUID', 'ID']);
  });

  test('GET / whose body comes after the headers, in two pieces, reads the whole body', async () => {
    const body = '{"target":"metal","domain":""}';
    const [head] = goRequest('GET', body);
    const r = await rawRequestInPieces(port, [head, body.slice(0, 9), body.slice(9)], 40);
    assert.equal(r.status, 200, r.body);
    assert.ok('hostmemoryInfo' in JSON.parse(r.body), r.body);
    const cut = await rawRequestInPieces(port, [head + body.slice(0, 12), body.slice(12)], 40);
    assert.equal(cut.status, 200, cut.body);
    assert.ok('hostmemoryInfo' in JSON.parse(cut.body), cut.body);
  });

  test('GET / with {"target":"xml","domain":"test"} answers raw XML', async () => {
    const r = await send('GET', '{"target":"xml","domain":"test"}');
    assert.equal(r.status, 200, r.body);
    assert.match(r.headers['content-type'] ?? '', /^application\/xml/);
    assert.match(r.body, /^<domain type='test'[^>]*>\s*<name>test<\/name>/);
  });

  test('GET / with {"target":"metal"} answers the Go SI struct', async () => {
    const r = await send('GET', '{"target":"metal","domain":""}');
    assert.equal(r.status, 200, r.body);
    const si = JSON.parse(r.body).hostmemoryInfo;
    assert.deepEqual(Object.keys(si), ['Uptime', 'Loads', 'Procs', 'TotalRam', 'FreeRam', 'SharedRam', 'BufferRam', 'TotalSwap', 'FreeSwap', 'TotalHighRam', 'FreeHighRam']);
    assert.ok(si.TotalRam > 0);
  });

  test('the body wins over the query string; a bad body target is named', async () => {
    const [head, body] = goRequest('GET', '{"target":"bogus"}');
    const r = await rawRequest(port, head.replace('GET / ', 'GET /?target=vm '), body);
    assert.equal(r.status, 400, r.body);
    assert.equal(JSON.parse(r.body).error.fields[0].field, 'target');
  });

  test('a POST as Go sends it acts, and the audit record has the peer address and User-Agent', async () => {
    const body = JSON.stringify({ domain: 'test', action: 'reset', target: '', createvmform: { hostname: '', mac: '', ip: '', cpucount: 0, memorycount: 0, image: '', xml: null, leasetime: 0 } });
    const r = await send('POST', body, 'X-Request-Id: sock-post-1\r\n');
    assert.equal(r.status, 200, r.body);
    assert.equal(r.headers['x-request-id'], 'sock-post-1');
    assert.equal(JSON.parse(r.body).action, 'reset');
    const rec = oneAudit(t, 'sock-post-1');
    assert.equal(rec.remoteAddr, '127.0.0.1');
    assert.equal(rec.userAgent, 'Go-http-client/1.1');
  });

  test('a GET body over the limit (declared length) → 413 PAYLOAD_TOO_LARGE', async () => {
    const r = await send('GET', JSON.stringify({ target: 'vm', domain: 'x'.repeat(LIMIT) }));
    assert.equal(r.status, 413, r.body);
    assert.equal(JSON.parse(r.body).error.code, 'PAYLOAD_TOO_LARGE');
  });

  test('a chunked GET body over the limit (no declared length) → 413 PAYLOAD_TOO_LARGE', async () => {
    const payload = JSON.stringify({ target: 'vm', domain: 'y'.repeat(LIMIT * 2) });
    const head = 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n';
    const r = await rawRequest(port, head, `${Buffer.byteLength(payload).toString(16)}\r\n${payload}\r\n0\r\n\r\n`);
    assert.equal(r.status, 413, r.body);
    assert.equal(JSON.parse(r.body).error.code, 'PAYLOAD_TOO_LARGE');
  });

  test('a POST body over the limit → 413 PAYLOAD_TOO_LARGE', async () => {
    const r = await send('POST', JSON.stringify({ domain: 'test', action: 'start', target: 'z'.repeat(LIMIT) }));
    assert.equal(r.status, 413, r.body);
    assert.equal(JSON.parse(r.body).error.code, 'PAYLOAD_TOO_LARGE');
  });

  test('malformed JSON → 400 BAD_REQUEST in the error envelope, GET and POST', async () => {
    for (const method of ['GET', 'POST']) {
      const r = await send(method, '{"target": "vm",');
      assert.equal(r.status, 400, r.body);
      const err = JSON.parse(r.body).error;
      assert.equal(err.code, 'BAD_REQUEST');
      assert.equal(err.requestId, r.headers['x-request-id']);
      assert.ok(!r.body.includes('    at '), 'no stack trace');
    }
    const arr = await send('GET', '["vm"]');
    assert.equal(arr.status, 400);
    assert.equal(JSON.parse(arr.body).error.code, 'BAD_REQUEST');
  });
});
