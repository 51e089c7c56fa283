/**
 * A console session: the bytes of a guest's console stream to a caller's channel and back, until
 * one of them ends or the session is ended, with what it carried. libvirt itself keeps one
 * session per console (a second open fails unless forced, and a forced one ends the first), so
 * nothing is held here.
 */
import type { LibvirtStream, StreamEnd } from '../libvirt/index.ts';
import { CloseCode, type CallerChannel, type ChannelClose } from '../model/channel.ts';

/** Output queued to a caller beyond which the session ends as too slow (the guest is not held back). */
export const MAX_BUFFERED_OUTPUT = 1024 * 1024;
/** How much typed input a session keeps for its audit record, when asked to. */
export const MAX_RECORDED_INPUT = 64 * 1024;
/** The largest message a caller may send (a paste); larger ones end the session. */
export const MAX_INPUT_MESSAGE = 64 * 1024;

/** Why a session ended, as its audit record says. */
export type SessionEnd = 'caller-closed' | 'guest-stopped' | 'taken-over' | 'too-slow' | 'input-too-large' | 'ended' | 'libvirt-lost';

/** What a session carried and how it ended. */
export interface SessionSummary {
  end: SessionEnd;
  closeCode: number;
  reason: string;
  /** libvirt's own words when it ended the stream with an error. */
  libvirtMessage?: string;
  bytesIn: number;
  bytesOut: number;
  seconds: number;
  /** What was typed (its first MAX_RECORDED_INPUT bytes, as text), when the session records input. */
  input?: string;
  inputTruncated?: boolean;
}

/** What the bridge needs besides the two ends. */
export interface SessionOptions {
  /** Aborts to end the session (cancel, shutdown); its reason's message is shown to the caller. */
  signal: AbortSignal;
  /** Whether the guest stopped (asked when its stream ended: a stop, or a forced takeover?). */
  guestStopped(): Promise<boolean>;
  now(): number;
  /** Keep what is typed (off by default: passwords are typed into consoles too). */
  recordInput?: boolean;
}

type Ending = { end: SessionEnd; code: number; reason: string; libvirtMessage?: string };

/** Bridges `stream` and `channel` until the session ends; both are closed when it resolves. */
export async function runConsoleSession(stream: LibvirtStream, channel: CallerChannel, o: SessionOptions): Promise<SessionSummary> {
  const started = o.now();
  let bytesIn = 0;
  let bytesOut = 0;
  let local: Ending | null = null;
  const typed = new InputRecord();
  let wake: () => void = () => {};
  const endedHere = new Promise<void>((resolve) => { wake = resolve; });
  const endHere = (e: Ending) => { local ??= e; wake(); };
  stream.onData((chunk) => {
    channel.send(chunk);
    bytesOut += chunk.length;
    stream.consumed(chunk.length);
    if (channel.bufferedBytes > MAX_BUFFERED_OUTPUT) endHere({ end: 'too-slow', code: CloseCode.TOO_SLOW, reason: 'the console output backed up: the caller reads too slowly' });
  });
  let writes = Promise.resolve();
  channel.onMessage((bytes) => {
    if (bytes.length > MAX_INPUT_MESSAGE) return endHere({ end: 'input-too-large', code: CloseCode.TOO_BIG, reason: `input messages are limited to ${MAX_INPUT_MESSAGE} bytes` });
    bytesIn += bytes.length;
    if (o.recordInput) typed.keep(bytes);
    writes = writes.then(() => stream.write(bytes)).catch(() => {});
  });
  const aborted = abortedPromise(o.signal);
  const first = await Promise.race([
    channel.closed.then((c) => ({ from: 'caller' as const, close: c })),
    stream.ended.then((e) => ({ from: 'stream' as const, streamEnd: e })),
    aborted.then((reason) => ({ from: 'abort' as const, reason })),
    endedHere.then(() => ({ from: 'local' as const })),
  ]);
  const ending = first.from === 'caller' ? callerEnding(first.close)
    : first.from === 'stream' ? await streamEnding(first.streamEnd, o)
      : first.from === 'abort' ? { end: 'ended' as const, code: CloseCode.ENDED, reason: first.reason }
        : local!;
  if (stream.isOpen) await settleStream(stream, first.from === 'caller');
  channel.close(ending.code, ending.reason);
  const { code, ...rest } = ending;
  return { ...rest, closeCode: code, bytesIn, bytesOut, seconds: (o.now() - started) / 1000, ...(o.recordInput && typed.summary()) };
}

function callerEnding(close: ChannelClose): Ending {
  return { end: 'caller-closed', code: close.code, reason: close.reason.slice(0, 123) || 'the caller closed the session' };
}

async function streamEnding(end: StreamEnd, o: SessionOptions): Promise<Ending> {
  if (end.kind === 'lost') return { end: 'libvirt-lost', code: CloseCode.LIBVIRT_LOST, reason: 'the agent lost its connection to libvirt' };
  if (await o.guestStopped().catch(() => true)) return { end: 'guest-stopped', code: CloseCode.GUEST_STOPPED, reason: 'the guest stopped' };
  // A forced open ends the holder's stream with an error ("stream had I/O failure", libvirt 9.0) or
  // an end of data; while the guest runs that is the likely cause, and libvirt's words are kept.
  const said = end.kind === 'error' ? { libvirtMessage: end.error.message.slice(0, 256) } : {};
  return { end: 'taken-over', code: CloseCode.TAKEN_OVER, reason: 'another session took the console over', ...said };
}

/** Finishes our side (the caller left) or aborts it, waiting a little for libvirtd's confirmation. */
async function settleStream(stream: LibvirtStream, clean: boolean): Promise<void> {
  const done = clean ? stream.finish() : stream.abort();
  await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
}

function abortedPromise(signal: AbortSignal): Promise<string> {
  const reasonOf = () => (signal.reason instanceof Error ? signal.reason.message : 'the session was ended').slice(0, 123);
  if (signal.aborted) return Promise.resolve(reasonOf());
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(reasonOf()), { once: true }));
}

/** The first MAX_RECORDED_INPUT bytes typed into a session. */
class InputRecord {
  readonly #chunks: Buffer[] = [];
  #size = 0;
  #truncated = false;

  keep(bytes: Uint8Array): void {
    const room = MAX_RECORDED_INPUT - this.#size;
    if (bytes.length > room) this.#truncated = true;
    if (room <= 0) return;
    const part = Buffer.from(bytes.subarray(0, room));
    this.#chunks.push(part);
    this.#size += part.length;
  }

  summary(): { input: string; inputTruncated: boolean } {
    return { input: Buffer.concat(this.#chunks).toString('utf8'), inputTruncated: this.#truncated };
  }
}
