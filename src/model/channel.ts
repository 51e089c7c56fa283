/** A caller's two-way byte channel (a WebSocket), as a session action sees it: no HTTP here. */

/** How a channel closed: a WebSocket close code and its reason. */
export interface ChannelClose { code: number; reason: string }

/** Close codes a session uses (RFC 6455 §7.4; 4000–4999 are the application's). */
export const CloseCode = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  TOO_BIG: 1009,
  INTERNAL: 1011,
  /** The guest stopped: its console is gone. */
  GUEST_STOPPED: 4000,
  /** Another session took the console over (force). */
  TAKEN_OVER: 4001,
  /** The caller read too slowly and the output backed up. */
  TOO_SLOW: 4002,
  /** The session was ended by an operator (cancel) or by the agent shutting down. */
  ENDED: 4003,
  /** The agent lost its libvirt connection. */
  LIBVIRT_LOST: 4004,
} as const;

/** The caller's side of a session. */
export interface CallerChannel {
  /** Accepts the caller (completes the WebSocket upgrade); resolves once the channel is open. */
  open(): Promise<void>;
  /** Sends bytes to the caller (after open). */
  send(bytes: Uint8Array): void;
  /** Bytes sent and not yet handed to the network. */
  readonly bufferedBytes: number;
  /** Calls `listener` with each message the caller sends, as bytes (text is UTF-8 encoded). */
  onMessage(listener: (bytes: Uint8Array) => void): void;
  /** Resolves when the channel closes, whoever closed it. */
  readonly closed: Promise<ChannelClose>;
  /** Closes the channel with a code and a reason the caller is shown (at most 123 bytes). */
  close(code: number, reason: string): void;
}
