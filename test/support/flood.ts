/**
 * Many HTTP requests to an agent over loopback with a bounded number in flight, keep-alive where
 * the server allows it: for the flood and history-size tests and their benchmark.
 */
import http from 'node:http';

/** One request of a flood. */
export interface FloodRequest {
  method: string;
  path: string;
  body?: string | Buffer;
  headers?: Record<string, string>;
}

/** A finished request: status, a header or two, and the answer's size. */
export interface FloodAnswer {
  status: number;
  retryAfter: string | undefined;
  connection: string | undefined;
  bytes: number;
  text: string;
}

/** Sends one request and reads its whole answer (the text kept up to 64 KiB). */
export function send(base: string, req: FloodRequest, agent?: http.Agent): Promise<FloodAnswer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...req.headers };
    if (req.body !== undefined) headers['content-length'] = Buffer.byteLength(req.body);
    const r = http.request(`${base}${req.path}`, { method: req.method, headers, agent: agent ?? false }, (res) => {
      const chunks: Buffer[] = [];
      let bytes = 0;
      res.on('data', (d: Buffer) => {
        bytes += d.length;
        if (bytes <= 65_536) chunks.push(d);
      });
      res.on('end', () => resolve({
        status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'], connection: res.headers.connection,
        bytes, text: Buffer.concat(chunks).toString('utf8'),
      }));
      res.on('error', reject);
    });
    // The server may answer and close before it has read a refused body: that is not a failure.
    r.on('error', (err: NodeJS.ErrnoException) => (err.code === 'EPIPE' || err.code === 'ECONNRESET' ? undefined : reject(err)));
    r.end(req.body);
  });
}

/** Sends `count` requests made by `make(i)`, `concurrency` at a time; returns how many got each status. */
export async function flood(base: string, count: number, concurrency: number, make: (i: number) => FloodRequest): Promise<Map<number, number>> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const statuses = new Map<number, number>();
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const answer = await send(base, make(next++), agent);
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    agent.destroy();
  }
  return statuses;
}
