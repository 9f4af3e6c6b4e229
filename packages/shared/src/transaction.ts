/**
 * Transactions are votes, as existing backends send them: {from: voter id, to: "election-<id>",
 * data: encrypted ballot}. The hash is derived from the canonical content alone, so an identical
 * resubmission has the same hash and a retry is always safe.
 */
import { ballotCandidate } from './ballot.js';
import { type Hex, canonicalize, isWellFormedString } from './encoding.js';
import { sha256Utf8Hex } from './hash.js';
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
  const { data, from, to } = tx;
  // Fast path, byte-identical to canonicalize(): three string properties in RFC 8785 key order.
  if (
    typeof data === 'string' &&
    typeof from === 'string' &&
    typeof to === 'string' &&
    isWellFormedString(data) &&
    isWellFormedString(from) &&
    isWellFormedString(to)
  ) {
    return `{"data":${JSON.stringify(data)},"from":${JSON.stringify(from)},"to":${JSON.stringify(to)}}`;
  }
  return canonicalize({ data, from, to });
}

interface TxDigest {
  from: string;
  to: string;
  data: string;
  hash: Hex;
  size: number;
  /** ballotCandidate(data), once asked for (the commitment and the stored tally both count it). */
  candidate?: string;
}

/**
 * Hash and size per transaction object: a vote's hash is asked for many times on its way through
 * a validator (pool, gossip, proposal, block check, state, storage, API), and each would cost a
 * canonicalization and a sha256. An entry is used only while the object's three fields are the
 * very values it was computed from, so mutating a transaction can never yield a stale hash.
 */
const digests = new WeakMap<Transaction, TxDigest>();

function digestOf(tx: Transaction): TxDigest {
  const d = digests.get(tx);
  if (d !== undefined && d.data === tx.data && d.from === tx.from && d.to === tx.to) return d;
  const canonical = canonicalTx(tx);
  const fresh: TxDigest = {
    from: tx.from,
    to: tx.to,
    data: tx.data,
    hash: sha256Utf8Hex(canonical),
    size: Buffer.byteLength(canonical),
  };
  // Only string fields are compared by value on the next call: anything else is not remembered.
  if (
    typeof tx === 'object' &&
    tx !== null &&
    typeof tx.data === 'string' &&
    typeof tx.from === 'string' &&
    typeof tx.to === 'string'
  )
    digests.set(tx, fresh);
  return fresh;
}

/** Transaction hash: sha256 of the canonical {data, from, to} JSON, 0x-hex. */
export function txHash(tx: Transaction): Hex {
  return digestOf(tx).hash;
}

/** The candidate the transaction's ballot names, or SEALED (ballotCandidate of its data), once per object. */
export function txCandidate(tx: Transaction): string {
  const d = digestOf(tx);
  if (d.candidate === undefined) d.candidate = ballotCandidate(tx.data);
  return d.candidate;
}

/** Size the transaction counts for in block limits: bytes of its canonical JSON. */
export function txSize(tx: Transaction): number {
  return digestOf(tx).size;
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
    throw new ProtocolError(
      ProtocolErrorCode.TX_INVALID,
      'transaction "from" (voter id) must be 1-128 printable ASCII characters without spaces',
    );
  }
  if (typeof r.to !== 'string' || electionIdOf(r.to) === undefined) {
    throw new ProtocolError(
      ProtocolErrorCode.TX_INVALID,
      'transaction "to" must be "election-<id>" with an id of 1-64 characters [A-Za-z0-9_.-]',
    );
  }
  if (typeof r.data !== 'string' || r.data.length === 0) {
    throw new ProtocolError(
      ProtocolErrorCode.TX_INVALID,
      'transaction "data" (the encrypted ballot) must be a non-empty string',
    );
  }
  if (!isWellFormedString(r.data)) {
    throw new ProtocolError(
      ProtocolErrorCode.TX_INVALID,
      'transaction "data" must be well-formed Unicode (it contains a lone surrogate, which has no canonical encoding)',
    );
  }
  const tx: Transaction = { from: r.from, to: r.to, data: r.data };
  // Re-validating a transaction parsed before (a proposal's block checked by the network, then by
  // the core) reuses its hash: the copy has the very same three strings.
  const known = digests.get(input as Transaction);
  if (known !== undefined && known.from === tx.from && known.to === tx.to && known.data === tx.data)
    digests.set(tx, known);
  const size = txSize(tx);
  if (size > maxTxBytes) {
    throw new ProtocolError(ProtocolErrorCode.TX_TOO_LARGE, `transaction is ${size} bytes, the limit is ${maxTxBytes}`);
  }
  return tx;
}
