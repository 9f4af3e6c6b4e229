/**
 * Transactions are votes, as existing backends send them: {from: voter id, to: "election-<id>",
 * data: encrypted ballot}. The hash is derived from the canonical content alone, so an identical
 * resubmission has the same hash and a retry is always safe.
 */
import { type Hex, canonicalize, isWellFormedString, utf8ToBytes } from './encoding.js';
import { sha256Hex } from './hash.js';
import { ProtocolError, ProtocolErrorCode } from './errors.js';

export interface Transaction {
  /** Voter id. */
  from: string;
  /** "election-<id>". */
  to: string;
  /** Encrypted ballot (opaque to the chain: plain text, hex or base64). */
  data: string;
}

const ELECTION_RE = /^election-([A-Za-z0-9_.-]{1,64})$/;
const VOTER_RE = /^[\x21-\x7e]{1,128}$/;

/** The election id in a `to` field ("election-7" -> "7"), or undefined. */
export function electionIdOf(to: string): string | undefined {
  return ELECTION_RE.exec(to)?.[1];
}

/** Canonical JSON text of a transaction (only the three fields that define it). */
export function canonicalTx(tx: Transaction): string {
  return canonicalize({ data: tx.data, from: tx.from, to: tx.to });
}

/** Transaction hash: sha256 of the canonical {data, from, to} JSON, 0x-hex. */
export function txHash(tx: Transaction): Hex {
  return sha256Hex(utf8ToBytes(canonicalTx(tx)));
}

/** Size the transaction counts for in block limits: bytes of its canonical JSON. */
export function txSize(tx: Transaction): number {
  return Buffer.byteLength(canonicalTx(tx));
}

/** Key of the one-vote-per-(voter, election) rule. */
export function voterKey(tx: Pick<Transaction, 'from' | 'to'>): string {
  return `${tx.to}\u0000${tx.from}`;
}

/**
 * Validate an untrusted transaction and return it reduced to its three fields.
 * Extra fields that Ethereum tooling sends (gas, value, nonce) are ignored.
 */
export function parseTransaction(input: unknown, maxTxBytes: number): Transaction {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ProtocolError(ProtocolErrorCode.TX_INVALID, 'transaction must be an object with from, to and data');
  }
  const r = input as Record<string, unknown>;
  if (typeof r.from !== 'string' || !VOTER_RE.test(r.from)) {
    throw new ProtocolError(ProtocolErrorCode.TX_INVALID, 'transaction "from" (voter id) must be 1-128 printable ASCII characters without spaces');
  }
  if (typeof r.to !== 'string' || electionIdOf(r.to) === undefined) {
    throw new ProtocolError(ProtocolErrorCode.TX_INVALID, 'transaction "to" must be "election-<id>" with an id of 1-64 characters [A-Za-z0-9_.-]');
  }
  if (typeof r.data !== 'string' || r.data.length === 0) {
    throw new ProtocolError(ProtocolErrorCode.TX_INVALID, 'transaction "data" (the encrypted ballot) must be a non-empty string');
  }
  if (!isWellFormedString(r.data)) {
    throw new ProtocolError(ProtocolErrorCode.TX_INVALID, 'transaction "data" must be well-formed Unicode (it contains a lone surrogate, which has no canonical encoding)');
  }
  const tx: Transaction = { from: r.from, to: r.to, data: r.data };
  const size = txSize(tx);
  if (size > maxTxBytes) {
    throw new ProtocolError(ProtocolErrorCode.TX_TOO_LARGE, `transaction is ${size} bytes, the limit is ${maxTxBytes}`);
  }
  return tx;
}
