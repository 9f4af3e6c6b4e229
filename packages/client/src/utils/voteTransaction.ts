/** Turning a backend's vote into the transaction validators accept, checked before sending. */
import { DEFAULT_LIMITS, ProtocolError, parseTransaction, txHash, type Hex, type Transaction } from '@poa-vote/shared';
import { InvalidVoteError } from '../errors.js';

export interface VoteInput {
  /** Voter id (1-128 printable ASCII characters, no spaces). */
  voterId: string;
  /** Election id; the transaction goes to "election-<id>". */
  electionId: string | number;
  /** The encrypted ballot (opaque to the chain). */
  encryptedVote: string;
  /** Submission id (the JSON-RPC request id); receipts can be looked up by it. Generated when absent. */
  transactionId?: string;
}

/**
 * "election-<id>" for an election id.
 * @example
 * electionAddress(7) // 'election-7'
 */
export function electionAddress(electionId: string | number): string {
  return `election-${String(electionId)}`;
}

/**
 * Validate a vote and compute its content hash locally; InvalidVoteError names the bad field.
 * @example
 * const { tx, hash } = voteTransaction({ voterId: 'voter-42', electionId: 7, encryptedVote: '0xab' });
 */
export function voteTransaction(
  vote: VoteInput,
  maxTxBytes: number = DEFAULT_LIMITS.maxTxBytes,
): { tx: Transaction; hash: Hex } {
  if (typeof vote !== 'object' || vote === null)
    throw new InvalidVoteError('the vote must be an object {voterId, electionId, encryptedVote}');
  if (typeof vote.voterId !== 'string')
    throw new InvalidVoteError(`voterId must be a string, got ${typeof vote.voterId}`);
  if (
    typeof vote.electionId !== 'string' &&
    !(typeof vote.electionId === 'number' && Number.isSafeInteger(vote.electionId) && vote.electionId >= 0)
  ) {
    throw new InvalidVoteError(
      `electionId must be a string or a non-negative integer, got ${JSON.stringify(vote.electionId)}`,
    );
  }
  if (typeof vote.encryptedVote !== 'string')
    throw new InvalidVoteError(`encryptedVote must be a string, got ${typeof vote.encryptedVote}`);
  if (
    vote.transactionId !== undefined &&
    (typeof vote.transactionId !== 'string' || vote.transactionId.length === 0 || vote.transactionId.length > 128)
  ) {
    throw new InvalidVoteError('transactionId must be a string of 1-128 characters');
  }
  try {
    const tx = parseTransaction(
      { from: vote.voterId, to: electionAddress(vote.electionId), data: vote.encryptedVote },
      maxTxBytes,
    );
    return { tx, hash: txHash(tx) };
  } catch (err) {
    if (err instanceof ProtocolError) throw new InvalidVoteError(err.message, { cause: err });
    throw err;
  }
}
