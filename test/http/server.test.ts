/**
 * The Node server around the app (src/http/server.ts): a request the adapter cannot make into a
 * Fetch Request (a backslash in the path, a malformed Host) is refused with the error envelope and a
 * request id, not a bare 400, and so is one Node's own parser refuses (400, or 431 for a head too
 * large); everything else reaches the app. Found by the fuzz campaign.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Hono } from 'hono';
import net from 'node:net';
import { createAppServer } from '../../src/http/server.ts';

/** Writes `text` on a fresh connection and parses the one answer (the request says Connection: close). */
function raw(port: number, text: string): Promise<{ status: number; headers: Record<string, string>; text: string }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(port, '127.0.0.1');
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', body = ''] = Buffer.concat(chunks).toString('utf8').split('\r\n\r\n', 2);
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      resolve({ status: Number(statusLine.split(' ')[1]), headers, text: body });
    });
    socket.end(text, 'latin1');
  });
}

describe('the app server', () => {
  let server: Server;
  let port: number;

  before(async () => {
    const app = new Hono().get('/', (c) => c.text('app'));
    server = createAppServer({ fetch: app.fetch, headersTimeoutMs: 500 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  for (const [what, head] of [['a backslash in the path', 'GET /a\\b HTTP/1.1\r\nHost: 127.0.0.1'], ['a Host with a space', 'GET / HTTP/1.1\r\nHost: a b'], ['a Host with a path', 'GET / HTTP/1.1\r\nHost: a/b']]) {
    test(`${what}: 400 BAD_REQUEST in the envelope, with X-Request-Id`, async () => {
      const r = await raw(port, `${head}\r\nConnection: close\r\n\r\n`);
      assert.equal(r.status, 400);
      assert.match(r.headers['content-type'] ?? '', /^application\/json/);
      const body = JSON.parse(r.text);
      assert.deepEqual(Object.keys(body.error), ['code', 'message', 'requestId']);
      assert.equal(body.error.code, 'BAD_REQUEST');
      assert.equal(body.error.requestId, r.headers['x-request-id']);
    });
  }

  for (const [what, text, status, code] of [
    ['a lower-case method', 'get / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', 400, 'BAD_REQUEST'],
    ['broken chunking', 'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 400, 'BAD_REQUEST'],
    ['a head over 16 KiB', `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`, 431, 'HEADERS_TOO_LARGE'],
  ] as const) {
    test(`${what}, refused by Node's parser: ${status} in the envelope, and the connection closes`, async () => {
      const r = await raw(port, text);
      assert.equal(r.status, status);
      assert.equal(r.headers.connection, 'close');
      const body = JSON.parse(r.text);
      assert.equal(body.error.code, code);
      assert.equal(body.error.requestId, r.headers['x-request-id']);
    });
  }

  test('a client that trickles its head is cut off after the headers timeout (408 in the envelope), not held', async () => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (d: Buffer) => chunks.push(d));
    const started = performance.now();
    socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const drip = setInterval(() => socket.write('X-Drip: 1\r\n'), 100);
    await new Promise<void>((resolve) => socket.on('close', () => resolve()));
    clearInterval(drip);
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 5_000, `held for ${Math.round(elapsed)} ms`);
    const text = Buffer.concat(chunks).toString('utf8');
    assert.match(text, /^HTTP\/1\.1 408 /, text.slice(0, 200));
    assert.equal(JSON.parse(text.split('\r\n\r\n')[1]!).error.code, 'REQUEST_TOO_SLOW');
  });

  test('a well-formed request reaches the app', async () => {
    const r = await raw(port, 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    assert.deepEqual([r.status, r.text], [200, 'app']);
  });
});
