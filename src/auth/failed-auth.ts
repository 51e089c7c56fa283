/**
 * Rate limiting of failed authentication, per peer and in total: each refusal takes a token from
 * the peer's bucket and from a bucket shared by all peers; a refusal that finds either empty is
 * answered 429 and recorded nowhere. With the defaults one address gets at most 20 refusals at
 * once and 6 a minute after that (8,640 fixed-size audit rows a day: 3.6 MiB at 430 bytes a row,
 * 9 MiB if every field is at its bound), and all addresses together 30 a minute. IPv6 peers count by their /64, which one host usually holds whole.
 */

/** How many refusals a bucket holds and how fast it refills. */
export interface BucketLimits {
  burst: number;
  perMinute: number;
}

/** The limits of one FailedAuthLimiter. */
export interface FailedAuthLimits {
  perPeer: BucketLimits;
  total: BucketLimits;
  /** Peers remembered at once; the longest unseen is forgotten first. */
  maxPeers: number;
}

/** The defaults: see the module comment. */
export const DEFAULT_FAILED_AUTH_LIMITS: FailedAuthLimits = {
  perPeer: { burst: 20, perMinute: 6 },
  total: { burst: 100, perMinute: 30 },
  maxPeers: 10_000,
};

/** A refusal may be recorded (ok) or is over a limit (retry after that many seconds). */
export type FailedAuthVerdict = { ok: true } | { ok: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  at: number;
}

/** Counts failed authentications per peer; `take` says whether one more may be answered in full. */
export class FailedAuthLimiter {
  readonly #limits: FailedAuthLimits;
  readonly #now: () => number;
  readonly #peers = new Map<string, Bucket>();
  readonly #total: Bucket;

  constructor(limits: FailedAuthLimits = DEFAULT_FAILED_AUTH_LIMITS, now: () => number = Date.now) {
    this.#limits = limits;
    this.#now = now;
    this.#total = { tokens: limits.total.burst, at: now() };
  }

  /** Takes one refusal from the peer's and the shared budget, or says how long to wait. */
  take(peer: string | null): FailedAuthVerdict {
    const now = this.#now();
    const key = peerKey(peer);
    const mine = this.#bucket(key, now);
    refill(mine, this.#limits.perPeer, now);
    refill(this.#total, this.#limits.total, now);
    if (mine.tokens < 1) return { ok: false, retryAfterSeconds: waitSeconds(mine, this.#limits.perPeer) };
    if (this.#total.tokens < 1) return { ok: false, retryAfterSeconds: waitSeconds(this.#total, this.#limits.total) };
    mine.tokens -= 1;
    this.#total.tokens -= 1;
    return { ok: true };
  }

  /** Peers remembered now (bounded by maxPeers). */
  get peerCount(): number {
    return this.#peers.size;
  }

  // A Map keeps insertion order: a peer seen again moves to the end, so the first is the longest unseen.
  #bucket(key: string, now: number): Bucket {
    const found = this.#peers.get(key);
    if (found) {
      this.#peers.delete(key);
      this.#peers.set(key, found);
      return found;
    }
    if (this.#peers.size >= this.#limits.maxPeers) {
      const oldest = this.#peers.keys().next().value;
      if (oldest !== undefined) this.#peers.delete(oldest);
    }
    const fresh = { tokens: this.#limits.perPeer.burst, at: now };
    this.#peers.set(key, fresh);
    return fresh;
  }
}

function refill(bucket: Bucket, limits: BucketLimits, now: number): void {
  const elapsed = Math.max(0, now - bucket.at);
  bucket.tokens = Math.min(limits.burst, bucket.tokens + (elapsed * limits.perMinute) / 60_000);
  bucket.at = now;
}

function waitSeconds(bucket: Bucket, limits: BucketLimits): number {
  return Math.max(1, Math.ceil(((1 - bucket.tokens) * 60) / limits.perMinute));
}

/** The key a peer is counted under: an IPv4 address as is, an IPv6 address by its first 64 bits. */
export function peerKey(peer: string | null): string {
  if (!peer) return '(unknown)';
  const v4mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(peer);
  if (v4mapped) return v4mapped[1]!;
  if (!peer.includes(':')) return peer.slice(0, 64);
  return ipv6Prefix64(peer);
}

function ipv6Prefix64(address: string): string {
  const [head = '', tail] = address.toLowerCase().split('%')[0]!.split('::');
  const front = head === '' ? [] : head.split(':');
  const back = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? front : [...front, ...Array<string>(Math.max(0, 8 - front.length - back.length)).fill('0'), ...back];
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}
