/**
 * Submission ids that cannot be hijacked. The JSON-RPC id of an eth_sendTransaction (a number is
 * stringified) names the vote for receipts by id. The first vote submitted under an id owns it:
 * a different vote under a taken id is refused, the identical vote again is fine (a retry). The
 * binding is read from the node (durable) and, for submissions still on their way to the disk,
 * from an in-flight map claimed synchronously, so two concurrent submissions under one id can
 * never both pass. Which credential submitted under an id is remembered in memory (the node's
 * record holds the hash only): another credential's identical resubmission is refused too, for
 * as long as the node remembers (see docs/SECURITY.md).
 */
import type { Hex } from '@poa-vote/shared';
import type { JsonRpcError } from '../jsonrpc/errors.js';
import type { JsonRpcId } from '../jsonrpc/types.js';
import { submissionIdInvalid, submissionIdTaken } from './errors.js';

/** Longest submission id, in UTF-8 bytes (ids are stored by every node; UUIDs take 36). */
export const MAX_SUBMISSION_ID_BYTES = 256;
/** Submission ids whose credential is remembered; the oldest is forgotten first. */
export const REMEMBERED_CREDENTIALS = 100_000;

/** Who owns a submission id: the vote bound to it and, when known, the credential that sent it. */
export interface SubmissionOwner {
  hash: Hex;
  credential?: string;
}

const LONE_SURROGATE = /\p{Cs}/u;

/**
 * The submission id of a request id: undefined for none (a notification, or id null), else the
 * id as a string, or an error when it cannot be stored faithfully. Ids with lone surrogates are
 * refused: stored as UTF-8 they would collapse into U+FFFD and two ids would share one key.
 */
export function submissionIdOf(id: JsonRpcId | undefined): string | undefined | JsonRpcError {
  if (id === undefined || id === null) return undefined;
  const s = String(id);
  if (s.length === 0) return submissionIdInvalid('must not be empty');
  if (LONE_SURROGATE.test(s)) return submissionIdInvalid('must be well-formed Unicode (it has a lone surrogate)');
  if (Buffer.byteLength(s, 'utf8') > MAX_SUBMISSION_ID_BYTES)
    return submissionIdInvalid(`must be at most ${MAX_SUBMISSION_ID_BYTES} bytes in UTF-8`);
  return s;
}

interface Claim {
  hash: Hex;
  credential: string | undefined;
  /** Claims of this id in flight (retries of the same vote join the first). */
  refs: number;
  /** The durable owner, read once for all claims of the entry. */
  owner: Promise<SubmissionOwner | undefined>;
}

/** A granted claim: release it once the submission settled. */
export interface ClaimTicket {
  /** `bound`: the node accepted the vote, so the id now belongs to it. */
  release(bound: boolean): void;
}

/** Guards submission ids against a second, different vote. */
export class SubmissionIdGuard {
  readonly #lookup: (id: string) => Promise<SubmissionOwner | undefined>;
  readonly #inFlight = new Map<string, Claim>();
  readonly #credentials = new Map<string, string>();
  readonly #remember: number;

  constructor(lookup: (id: string) => Promise<SubmissionOwner | undefined>, opts: { remember?: number } = {}) {
    this.#lookup = lookup;
    this.#remember = opts.remember ?? REMEMBERED_CREDENTIALS;
  }

  /** Ids being submitted right now. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /**
   * Claim `id` for the vote `hash` sent with `credential` (undefined: open write). The in-flight
   * check happens synchronously, before this returns; the durable check follows.
   */
  claim(id: string, hash: Hex, credential: string | undefined): Promise<ClaimTicket | JsonRpcError> {
    let claim = this.#inFlight.get(id);
    if (claim !== undefined) {
      if (claim.hash !== hash) return Promise.resolve(submissionIdTaken(id, claim.hash, hash));
      if (claim.credential !== undefined && claim.credential !== credential)
        return Promise.resolve(submissionIdTaken(id, claim.hash, hash, true));
      claim.refs++;
    } else {
      claim = { hash, credential, refs: 1, owner: this.#lookup(id) };
      this.#inFlight.set(id, claim);
    }
    const c = claim;
    let released = false;
    const release = (bound: boolean): void => {
      if (released) return;
      released = true;
      if (bound && credential !== undefined && !this.#credentials.has(id)) this.#rememberCredential(id, credential);
      if (--c.refs === 0 && this.#inFlight.get(id) === c) this.#inFlight.delete(id);
    };
    return c.owner.then(
      (owner): ClaimTicket | JsonRpcError => {
        if (owner === undefined) return { release };
        if (owner.hash !== hash) {
          release(false);
          return submissionIdTaken(id, owner.hash, hash);
        }
        const bound = owner.credential ?? this.#credentials.get(id);
        if (bound !== undefined && bound !== credential) {
          release(false);
          return submissionIdTaken(id, owner.hash, hash, true);
        }
        return { release };
      },
      (err: unknown) => {
        release(false);
        throw err;
      },
    );
  }

  #rememberCredential(id: string, credential: string): void {
    if (this.#credentials.size >= this.#remember) {
      const oldest = this.#credentials.keys().next();
      if (!oldest.done) this.#credentials.delete(oldest.value);
    }
    this.#credentials.set(id, credential);
  }
}
