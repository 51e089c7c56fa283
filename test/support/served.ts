/** The test app listening on loopback (an ephemeral port) through the agent's own server, WebSockets included. */
import type { AddressInfo } from 'node:net';
import { createAppServer } from '../../src/http/server.ts';
import type { TestApp } from './app.ts';

/** A listening test app: its base URL and how to stop listening. */
export interface Served {
  url: string;
  close(): Promise<void>;
}

/** Serves `t.app` on 127.0.0.1 at a free port. */
export function serveOnLoopback(t: TestApp): Promise<Served> {
  const server = createAppServer({ fetch: t.app.fetch });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () => new Promise<void>((done) => {
          server.closeAllConnections();
          server.close(() => done());
        }),
      });
    });
  });
}
