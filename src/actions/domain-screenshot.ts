/** A picture of a running guest's screen, as libvirt takes it (PNG with QEMU). */
import * as v from 'valibot';
import { findDomain } from './domain.ts';
import { DomainName } from './schemas.ts';
import { defineAction } from './types.ts';

/** The largest screenshot taken in (a 4K PNG is well under this). */
export const MAX_SCREENSHOT_BYTES = 32 * 1024 * 1024;

/** A screenshot: its bytes and the MIME type libvirt named. */
export interface Screenshot { mime: string; image: Buffer }

export default defineAction({
  name: 'domain-screenshot',
  kind: 'read',
  role: 'operator',
  summary: "A picture of a running guest's screen (PNG)",
  input: v.strictObject({
    domain: DomainName,
    screen: v.optional(v.pipe(v.string(), v.regex(/^\d{1,2}$/, 'must be a screen number from 0 to 99'), v.transform(Number)), '0'),
  }),
  async run(input, { deps }): Promise<{ data: Screenshot }> {
    const dom = await findDomain(deps, input.domain);
    const { mime, stream } = await deps.libvirt.screenshot(dom, input.screen);
    const image = await stream.collect(MAX_SCREENSHOT_BYTES);
    return { data: { mime: mime ?? 'application/octet-stream', image } };
  },
});
