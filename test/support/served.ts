/** The test app listening on loopback (an ephemeral port), for a browser to load. */
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { TestApp } from './app.ts';

/** A listening test app: its base URL and how to stop listening. */
export interface Served {
  url: string;
  close(): Promise<void>;
}

/** Serves `t.app` on 127.0.0.1 at a free port. */
export function serveOnLoopback(t: TestApp): Promise<Served> {
  return new Promise((resolve) => {
    const server: ServerType = serve({ fetch: t.app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) => {
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        close: () => new Promise<void>((done) => {
          (server as { closeAllConnections?: () => void }).closeAllConnections?.();
          server.close(() => done());
        }),
      });
    });
  });
}
