/**
 * A real guest's serial console through a libvirt stream (DOMAIN_OPEN_CONSOLE) on host a: the
 * shell answers a command typed into it, a second session is refused unless it forces, a forced
 * one ends the first, and the guest stopping ends the stream. Under TCG too.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConsoleFlags, LibvirtError, type DomainRef, type Libvirt, type LibvirtStream } from '../../src/libvirt/index.ts';
import { NET_PREFIX, ensureNetwork, freeAddress } from '../support/guest-infra.ts';
import { uniqueName } from '../support/guest.ts';
import { openHost, removeDomain } from '../support/hosts.ts';
import { linuxGuestImage, linuxGuestXml } from '../support/linux-guest.ts';
import { sleep } from '../support/wait.ts';

const BOOT_MS = 120_000;

/** Everything a console stream printed so far, as text. */
function transcript(stream: LibvirtStream): { text: () => string } {
  let text = '';
  stream.onData((chunk) => {
    text += chunk.toString('latin1');
    stream.consumed(chunk.length);
  });
  return { text: () => text };
}

/** Types `line` until the console's output matches `expect` (the shell may not be up yet). */
async function typeUntil(stream: LibvirtStream, seen: () => string, line: string, expect: RegExp, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    await stream.write(Buffer.from(`${line}\n`));
    for (let i = 0; i < 20; i++) {
      if (expect.test(seen())) return;
      await sleep(100);
    }
  }
  throw new Error(`console never showed ${expect} after typing ${JSON.stringify(line)}; it showed:\n${seen().slice(-1500)}`);
}

describe('a real guest\'s serial console as a libvirt stream', () => {
  let lv: Libvirt;
  let dom: DomainRef;
  const name = uniqueName('console');

  before(async () => {
    lv = await openHost('GVH_A_URI');
    const net = await ensureNetwork(lv, 'default', 'gvhbr0', NET_PREFIX);
    const { mac } = await freeAddress(lv, net);
    dom = await lv.defineXml(linuxGuestXml(name, { image: await linuxGuestImage(), mac }));
    dom = await lv.start(dom);
  });
  after(async () => {
    await removeDomain(lv, name);
    await lv.close();
  });

  let first: LibvirtStream;
  let firstSeen: () => string;

  test('a command typed into the console runs and its output comes back', async () => {
    first = await lv.openConsole(dom, null);
    firstSeen = transcript(first).text;
    await typeUntil(first, firstSeen, 'echo gvh-$((6*7))', /gvh-42/, BOOT_MS);
    assert.match(firstSeen(), /gvh-42/);
    assert.equal(first.isOpen, true);
  });

  test('a second session is refused while the first holds the console', async () => {
    await assert.rejects(lv.openConsole(dom, null), (err: unknown) => err instanceof LibvirtError && /console/i.test(err.message));
    assert.equal(first.isOpen, true);
  });

  test('a forced session takes the console over; the first one ends', async () => {
    const second = await lv.openConsole(dom, null, ConsoleFlags.FORCE);
    const seen = transcript(second).text;
    const end = await Promise.race([first.ended, sleep(10_000).then(() => null)]);
    assert.notEqual(end, null, 'the first session did not end within 10 s');
    assert.ok(['eof', 'error'].includes(end!.kind), JSON.stringify(end));
    await typeUntil(second, seen, 'echo taken-$((2+3))', /taken-5/, 30_000);
    first = second;
  });

  test('the guest stopping ends the stream', async () => {
    await lv.destroy(dom);
    const end = await Promise.race([first.ended, sleep(10_000).then(() => null)]);
    assert.notEqual(end, null, 'the console did not end within 10 s of the guest stopping');
    assert.ok(['eof', 'error'].includes(end!.kind), JSON.stringify(end));
  });
});
