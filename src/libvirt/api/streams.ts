/** The stream calls of the typed API: a guest's console and its screen. */
import type { LibvirtStream } from '../stream.ts';
import { Proc } from '../procedures.ts';
import type { DomainRef } from '../types.ts';
import type { ApiConstructor } from './base.ts';

/** virDomainConsoleFlags: FORCE takes the console from another session; SAFE refuses unsafe ones. */
export const ConsoleFlags = { FORCE: 1, SAFE: 2 } as const;

/** Adds the stream calls to the API. */
export function withStreams<B extends ApiConstructor>(Base: B) {
  abstract class StreamCalls extends Base {
    /** Opens a domain's console (the first one when `devName` is null) as a byte stream both ways. */
    async openConsole(dom: DomainRef, devName: string | null, flags = 0): Promise<LibvirtStream> {
      return (await this.openStream(Proc.DOMAIN_OPEN_CONSOLE, { dom, devName, flags })).stream;
    }

    /** Starts a screenshot of `screen`: the image arrives on the stream, in the MIME type given. */
    async screenshot(dom: DomainRef, screen = 0): Promise<{ mime: string | null; stream: LibvirtStream }> {
      const { stream, reply } = await this.openStream(Proc.DOMAIN_SCREENSHOT, { dom, screen, flags: 0 });
      return { mime: reply, stream };
    }
  }
  return StreamCalls;
}
