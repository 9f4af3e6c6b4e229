/**
 * Election control transactions: ordinary transactions `{from, to, data}` whose `from` starts
 * with the reserved prefix `@poa/`. `from` names the statement (and the authority making it), so
 * the one-transaction-per-(from, to) rule gives one configuration per election and one message
 * of each kind per trustee; `data` is the signed statement. Specified in docs/PROTOCOL.md section 16.
 */
import { type Hex, canonicalBytes, canonicalize, isHex } from '../encoding.js';
import { ProtocolError, ProtocolErrorCode } from '../errors.js';
import type { Genesis } from '../genesis.js';
import { type Signer, verifySignature } from '../signature.js';
import type { Transaction } from '../transaction.js';

/** Voter ids starting with this are reserved for control transactions. */
export const CONTROL_PREFIX = '@poa/';
export const ELECTION_TX_TYPE = 'poa-evoting/election-tx';
/** Domain of the signed bytes; differs from the block, vote and proposal domains (PROTOCOL.md section 4). */
export const ELECTION_TX_DOMAIN = 'poa-evote/election-tx/v1';

/** election: configuration (the genesis electionOperator signs); the others: one authority's trustee messages. */
export type ControlKind = 'election' | 'dkg-key' | 'dkg-dealing' | 'dkg-complaints' | 'partial';
const TRUSTEE_KINDS: ReadonlySet<string> = new Set(['dkg-key', 'dkg-dealing', 'dkg-complaints', 'partial']);

export interface ControlTarget {
  kind: ControlKind;
  /** The authority's id, for trustee messages. */
  authority?: string;
}

/** The signed statement in a control transaction's data. */
export interface SignedElectionTx {
  type: typeof ELECTION_TX_TYPE;
  v: 1;
  body: unknown;
  /** Ed25519 over electionTxSigningBytes. */
  signature: Hex;
}

/** An opened (signature-checked) control transaction. */
export interface OpenedControlTx {
  kind: ControlKind;
  electionId: string;
  /** Index of the signing authority (trustee messages). */
  authority?: number;
  body: unknown;
}

function invalid(message: string, data?: Record<string, unknown>): never {
  throw new ProtocolError(ProtocolErrorCode.ELECTION_TX_INVALID, message, data);
}

/** Whether a voter id is reserved for control transactions. */
export function isControlFrom(from: string): boolean {
  return from.startsWith(CONTROL_PREFIX);
}

/** The `from` of a control transaction: `@poa/election` or `@poa/<kind>/<authority id>`. */
export function controlFrom(kind: ControlKind, authority?: string): string {
  if (kind === 'election') return `${CONTROL_PREFIX}election`;
  if (authority === undefined) throw new TypeError(`a ${kind} transaction names its authority`);
  return `${CONTROL_PREFIX}${kind}/${authority}`;
}

/** Parse a reserved `from`; undefined for an ordinary voter id; throws ELECTION_TX_INVALID for an unknown one. */
export function parseControlFrom(from: string): ControlTarget | undefined {
  if (!isControlFrom(from)) return undefined;
  const rest = from.slice(CONTROL_PREFIX.length);
  if (rest === 'election') return { kind: 'election' };
  const slash = rest.indexOf('/');
  const kind = slash < 0 ? rest : rest.slice(0, slash);
  if (slash < 0 || !TRUSTEE_KINDS.has(kind))
    invalid(
      `voter ids starting with ${CONTROL_PREFIX} are reserved; ${JSON.stringify(from)} names no election statement`,
    );
  return { kind: kind as ControlKind, authority: rest.slice(slash + 1) };
}

/** UTF8(JCS({domain, chainId, from, to, body})): what the operator or the authority signs. */
export function electionTxSigningBytes(chainId: number, from: string, to: string, body: unknown): Uint8Array {
  return canonicalBytes({ domain: ELECTION_TX_DOMAIN, chainId, from, to, body });
}

/** Build a signed control transaction for `election-<electionId>`. */
export function signElectionTx(
  genesis: Pick<Genesis, 'chainId'>,
  signer: Signer,
  kind: ControlKind,
  electionId: string,
  body: unknown,
  authority?: string,
): Transaction {
  const from = controlFrom(kind, authority);
  const to = `election-${electionId}`;
  const signature = signer.sign(electionTxSigningBytes(genesis.chainId, from, to, body));
  const signed: SignedElectionTx = { type: ELECTION_TX_TYPE, v: 1, body, signature };
  return { from, to, data: canonicalize(signed) };
}

/**
 * Check a control transaction's envelope and signature: the operator's for a configuration, the
 * named authority's for a trustee message. The body is returned unchecked (the registry checks it).
 */
export function openElectionTx(genesis: Genesis, tx: Transaction, target: ControlTarget): OpenedControlTx {
  const electionId = /^election-(.+)$/.exec(tx.to)?.[1];
  if (electionId === undefined) invalid(`${tx.to} is not an election`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(tx.data);
  } catch {
    invalid(`${tx.from}: data is not JSON`, { field: 'data' });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    invalid(`${tx.from}: data must be a JSON object`, { field: 'data' });
  const o = parsed as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (k !== 'type' && k !== 'v' && k !== 'body' && k !== 'signature')
      invalid(`${tx.from}: data.${k} is not a member`, { field: `data.${k}` });
  if (o.type !== ELECTION_TX_TYPE || o.v !== 1)
    invalid(`${tx.from}: data must be a "${ELECTION_TX_TYPE}" version 1`, { field: 'data.type' });
  if (!isHex(o.signature, 64)) invalid(`${tx.from}: data.signature must be 64 bytes of 0x-hex`);
  let key: Hex;
  let authority: number | undefined;
  if (target.kind === 'election') {
    if (genesis.electionOperator === undefined)
      invalid('this chain has no electionOperator in its genesis: elections cannot be configured');
    key = genesis.electionOperator;
  } else {
    authority = genesis.authorities.findIndex((a) => a.id === target.authority);
    const a = genesis.authorities[authority];
    if (a === undefined) invalid(`${tx.from}: ${JSON.stringify(target.authority)} is not an authority`);
    key = a.publicKey;
  }
  const bytes = electionTxSigningBytes(genesis.chainId, tx.from, tx.to, o.body);
  if (!verifySignature(key, bytes, o.signature))
    invalid(
      `${tx.from}: the signature of ${target.kind === 'election' ? 'the election operator' : `authority ${target.authority}`} does not verify`,
      { field: 'data.signature' },
    );
  return { kind: target.kind, electionId, ...(authority !== undefined ? { authority } : {}), body: o.body };
}
