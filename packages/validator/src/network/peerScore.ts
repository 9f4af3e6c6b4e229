/**
 * Per-peer penalties on the request/response and direct protocols (gossip keeps gossipsub's own
 * scoring). A peer's score starts at 0, drops with each fault, and recovers linearly with time;
 * at `banThreshold` the peer is banned for `banMs` (disconnected, its dials and handshakes
 * refused) and its score reset, so an authority that misbehaved is re-admitted when the ban ends.
 * Requests are also rate-limited per peer with a token bucket.
 */
import { GossipAction } from './gossip/validation.js';
import { NetworkErrorCode } from './interface.js';

export interface PeerScoreOptions {
  /** Score at or below which a peer is banned (negative). */
  banThreshold: number;
  /** How long a ban lasts, ms. */
  banMs: number;
  /** Points a peer's score recovers per second, towards 0. */
  recoverPerSecond: number;
  /** Requests (sync + block) a peer may make per second, sustained. */
  requestsPerSecond: number;
  /** Requests a peer may make in a burst. */
  requestBurst: number;
  now?: () => number;
}

/** What a fault costs. */
export enum Penalty {
  /** A message or request that breaks the protocol (malformed, oversized, invalid). */
  invalid = 20,
  /** A request over the rate limit. */
  rateLimited = 5,
}

/** The penalty an inbound failure deserves; undefined for failures that are not the peer's fault (timeouts, resets). */
export function penaltyOf(err: unknown): Penalty | undefined {
  const e = err as { code?: unknown; action?: unknown } | null;
  if (e === null || typeof e !== 'object') return undefined;
  if (e.action === GossipAction.REJECT) return Penalty.invalid;
  switch (e.code) {
    case NetworkErrorCode.FRAME_TOO_LARGE:
    case NetworkErrorCode.FRAME_MALFORMED:
    case NetworkErrorCode.BAD_REQUEST:
    case NetworkErrorCode.BAD_RESPONSE:
      return Penalty.invalid;
    default:
      return undefined;
  }
}

/**
 * Codes of messages the consensus core found invalid that an honest authority can still send: a
 * proposal too far ahead comes from a clock ahead of ours. Every other code costs Penalty.invalid.
 */
const HONEST_CODES: ReadonlySet<string> = new Set(['PROPOSAL_FUTURE_SLOT']);

/** The penalty for a message the core (or the node) refused with `code`, after this layer's checks passed. */
export function penaltyOfCode(code: string): Penalty | undefined {
  return HONEST_CODES.has(code) ? undefined : Penalty.invalid;
}

interface PeerState {
  score: number;
  at: number;
  tokens: number;
  tokensAt: number;
}

/** Scores, bans and request budgets of peers, keyed by PeerId string. */
export class PeerScores {
  readonly #o: Required<PeerScoreOptions>;
  readonly #peers = new Map<string, PeerState>();

  constructor(
    opts: PeerScoreOptions,
    private readonly onBan: (peer: string, until: number, score: number) => void,
  ) {
    this.#o = { now: Date.now, ...opts };
  }

  #state(peer: string): PeerState {
    const now = this.#o.now();
    let s = this.#peers.get(peer);
    if (s === undefined) {
      s = { score: 0, at: now, tokens: this.#o.requestBurst, tokensAt: now };
      this.#peers.set(peer, s);
    }
    s.score = Math.min(0, s.score + ((now - s.at) / 1000) * this.#o.recoverPerSecond);
    s.at = now;
    return s;
  }

  /** A peer's current score (0 = clean). */
  score(peer: string): number {
    return this.#state(peer).score;
  }

  /** Lower a peer's score; bans it when the score reaches the threshold. Returns true if it was banned now. */
  penalize(peer: string, penalty: Penalty): boolean {
    const s = this.#state(peer);
    s.score -= penalty;
    if (s.score > this.#o.banThreshold) return false;
    const score = s.score;
    s.score = 0;
    this.onBan(peer, this.#o.now() + this.#o.banMs, score);
    return true;
  }

  /** Take one request from a peer's budget: false = over the rate limit (and penalized). */
  allowRequest(peer: string): boolean {
    const s = this.#state(peer);
    const now = this.#o.now();
    s.tokens = Math.min(this.#o.requestBurst, s.tokens + ((now - s.tokensAt) / 1000) * this.#o.requestsPerSecond);
    s.tokensAt = now;
    if (s.tokens >= 1) {
      s.tokens -= 1;
      return true;
    }
    this.penalize(peer, Penalty.rateLimited);
    return false;
  }
}
