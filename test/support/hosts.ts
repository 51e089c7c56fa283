/**
 * Access to the private test hosts that scripts/test-all.sh brings up (test/hosts/hosts.sh).
 * Integration tests fail, never skip, when the hosts are missing.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { LibvirtClient, type ClientOptions } from '../../src/libvirt/client.ts';
import { Libvirt } from '../../src/libvirt/index.ts';

const run = promisify(execFile);

/** Reads a GVH_* variable set by `hosts.sh env`, failing loudly when absent. */
export function hostEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the suite through 'npm run test:all' (it starts the private libvirt hosts)`);
  return value;
}

/** Opens a client to a private host and checks it is that host, never a system daemon. */
export async function openHost(uriVar: string, expectedHost = 'gvh-a', options: Partial<ClientOptions> = {}): Promise<Libvirt> {
  const client = new LibvirtClient(hostEnv(uriVar), options);
  await client.connect();
  const lv = new Libvirt(client);
  const info = await lv.connectionInfo();
  if (info.hostname !== expectedHost) {
    await client.close();
    throw new Error(`refusing to test against '${info.hostname}': expected the private host ${expectedHost}`);
  }
  return lv;
}

/** Runs a hosts.sh subcommand (kill-daemon, start-daemon, daemon-pid) and returns its output. */
export async function hostsCommand(...args: string[]): Promise<string> {
  const { stdout } = await run('bash', [hostEnv('GVH_HOSTS_SH'), ...args], { timeout: 60_000 });
  return stdout.trim();
}

/** Collects events into an array and lets a test wait for a predicate over them. */
export class EventLog<T> {
  readonly items: T[] = [];
  private waiters: Array<() => void> = [];
  private lastPush = 0;

  /** Records one item. */
  push = (item: T): void => {
    this.items.push(item);
    this.lastPush = Date.now();
    for (const w of this.waiters) w();
  };

  /** Resolves once quietMs have passed without a new item; rejects after timeoutMs. */
  async waitQuiet(quietMs: number, timeoutMs = 10_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (let idle = Date.now() - this.lastPush; idle < quietMs; idle = Date.now() - this.lastPush) {
      if (Date.now() > until) throw new Error(`no quiet ${quietMs} ms within ${timeoutMs} ms; saw ${JSON.stringify(this.items)}`);
      await new Promise((resolve) => setTimeout(resolve, quietMs - idle));
    }
  }

  /** Resolves once `pred(items)` holds; rejects after timeoutMs with what was seen. */
  waitFor(pred: (items: T[]) => boolean, timeoutMs = 5_000): Promise<void> {
    if (pred(this.items)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!pred(this.items)) return;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
        resolve();
      };
      const timer = setTimeout(() => reject(new Error(`timed out; saw ${JSON.stringify(this.items)}`)), timeoutMs);
      this.waiters.push(check);
    });
  }
}

/** Destroys and undefines a test domain if it exists (for `after` hooks); never throws for a missing one. */
export async function removeDomain(lv: Libvirt, name: string): Promise<void> {
  const dom = await lv.lookupDomain(name).catch(() => null);
  if (!dom) return;
  await lv.destroy(dom).catch(() => {});
  await lv.undefine(dom).catch(() => {});
}
