/** Protocol rule violations, each with a stable string code that tests and logs can match. */
export enum ProtocolErrorCode {
  GENESIS_INVALID = 'GENESIS_INVALID',
  TX_INVALID = 'TX_INVALID',
  TX_TOO_LARGE = 'TX_TOO_LARGE',
  TX_DUPLICATE = 'TX_DUPLICATE',
  TX_DOUBLE_VOTE = 'TX_DOUBLE_VOTE',
  BLOCK_INVALID = 'BLOCK_INVALID',
  BLOCK_BAD_HASH = 'BLOCK_BAD_HASH',
  BLOCK_BAD_SIGNATURE = 'BLOCK_BAD_SIGNATURE',
  BLOCK_WRONG_LEADER = 'BLOCK_WRONG_LEADER',
  BLOCK_BAD_PARENT = 'BLOCK_BAD_PARENT',
  BLOCK_BAD_HEIGHT = 'BLOCK_BAD_HEIGHT',
  BLOCK_BAD_SLOT = 'BLOCK_BAD_SLOT',
  BLOCK_BAD_TIMESTAMP = 'BLOCK_BAD_TIMESTAMP',
  BLOCK_BAD_TX_ROOT = 'BLOCK_BAD_TX_ROOT',
  /** The header's stateRoot is not the commitment of the state after its parent. */
  BLOCK_BAD_STATE_ROOT = 'BLOCK_BAD_STATE_ROOT',
  /** A state entry or lattice that is malformed, or a snapshot that does not match its root. */
  STATE_INVALID = 'STATE_INVALID',
  BLOCK_TOO_LARGE = 'BLOCK_TOO_LARGE',
  BLOCK_BAD_TX = 'BLOCK_BAD_TX',
  VOTE_INVALID = 'VOTE_INVALID',
  VOTE_BAD_SIGNATURE = 'VOTE_BAD_SIGNATURE',
  VOTE_UNKNOWN_VALIDATOR = 'VOTE_UNKNOWN_VALIDATOR',
  CERT_INVALID = 'CERT_INVALID',
  CERT_DUPLICATE_SIGNER = 'CERT_DUPLICATE_SIGNER',
  CERT_NO_QUORUM = 'CERT_NO_QUORUM',
  PROPOSAL_INVALID = 'PROPOSAL_INVALID',
  EVIDENCE_INVALID = 'EVIDENCE_INVALID',
  // Encrypted ballots (crypto/): data.field names the bad field, data.proof the failed proof.
  CRYPTO_BAD_ENCODING = 'CRYPTO_BAD_ENCODING',
  ELECTION_INVALID = 'ELECTION_INVALID',
  BALLOT_INVALID = 'BALLOT_INVALID',
  BALLOT_BAD_PROOF = 'BALLOT_BAD_PROOF',
  DKG_INVALID = 'DKG_INVALID',
  DKG_BAD_PROOF = 'DKG_BAD_PROOF',
  DKG_BAD_SHARE = 'DKG_BAD_SHARE',
  DKG_COMPLAINT_INVALID = 'DKG_COMPLAINT_INVALID',
  DECRYPTION_INVALID = 'DECRYPTION_INVALID',
  DECRYPTION_BAD_PROOF = 'DECRYPTION_BAD_PROOF',
  TALLY_OUT_OF_RANGE = 'TALLY_OUT_OF_RANGE',
  // Elections on chain (election/): a transaction that breaks an election rule (phase, signer, window).
  ELECTION_TX_INVALID = 'ELECTION_TX_INVALID',
}

/** A violation of a protocol rule. `code` is stable; `message` names the problem. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  constructor(
    readonly code: ProtocolErrorCode,
    message: string,
    readonly data?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** Throw a ProtocolError unless the condition holds. */
export function check(
  cond: unknown,
  code: ProtocolErrorCode,
  message: string,
  data?: Record<string, unknown>,
): asserts cond {
  if (!cond) throw new ProtocolError(code, message, data);
}
