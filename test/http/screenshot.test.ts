/**
 * GET /v1/domains/{name}/screenshot on real QEMU guests of host a: a running guest with a screen
 * gives a PNG; one without a screen, a stopped one, an unknown one, a bad screen number and a
 * viewer are refused with their envelope.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, type TestApp } from '../support/app.ts';
import { tinyGuestXml, uniqueName } from '../support/guest.ts';
import { removeDomain } from '../support/hosts.ts';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The tiny guest with a VNC screen on the host's loopback and a VGA card. */
function withScreen(xml: string): string {
  return xml.replace("<memballoon model='none'/>", "<graphics type='vnc' autoport='yes' listen='127.0.0.1'/><video><model type='vga'/></video><memballoon model='none'/>");
}

describe('screenshots of real guests', () => {
  let t: TestApp;
  const screen = uniqueName('shot');
  const headless = uniqueName('shotless');

  const get = (name: string, role: 'viewer' | 'operator', query = '') =>
    t.app.request(`/v1/domains/${name}/screenshot${query}`, { headers: { Authorization: `Bearer ${t.tokens[role]}` } });

  before(async () => {
    t = await buildTestApp({ uriVar: 'GVH_A_URI', withTokens: true });
    await t.deps.libvirt.defineXml(withScreen(tinyGuestXml(screen)));
    await t.deps.libvirt.start(await t.deps.libvirt.defineXml(tinyGuestXml(headless)));
  });
  after(async () => {
    for (const name of [screen, headless]) await removeDomain(t.deps.libvirt, name);
    await t.close();
  });

  test('a stopped guest is 409 CONFLICT', async () => {
    const res = await get(screen, 'operator');
    assert.equal(res.status, 409);
    assert.match(((await res.json()) as { error: { message: string } }).error.message, /not running/);
  });

  test('a running guest with a screen gives a PNG of it', async () => {
    await t.deps.libvirt.start(await t.deps.libvirt.lookupDomain(screen));
    const res = await get(screen, 'operator');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/png');
    const png = Buffer.from(await res.arrayBuffer());
    assert.deepEqual(png.subarray(0, 8), PNG_SIGNATURE);
    assert.equal(png.subarray(12, 16).toString('latin1'), 'IHDR');
    assert.ok(png.readUInt32BE(16) >= 320 && png.readUInt32BE(20) >= 200, `${png.readUInt32BE(16)}x${png.readUInt32BE(20)}`);
  });

  test('refusals: no screen, unknown guest, bad screen number, a viewer', async () => {
    const noScreen = await get(headless, 'operator');
    assert.equal(noScreen.status, 409);
    assert.match(((await noScreen.json()) as { error: { message: string } }).error.message, /no screens/);
    assert.equal((await get('no-such-guest', 'operator')).status, 404);
    const bad = await get(screen, 'operator', '?screen=-1');
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: { fields: Array<{ field: string }> } }).error.fields[0]!.field, 'screen');
    assert.equal((await get(screen, 'viewer')).status, 403);
  });
});
