/** Genesis: the chain's identity, its authorities and its timing, loaded and validated once. */
import { type Hex, isHex, isWellFormedString } from './encoding.js';
import { hashCanonical } from './hash.js';
import { publicKeyWeakness } from './signature.js';
import { ProtocolError, ProtocolErrorCode } from './errors.js';

export interface Authority {
  /** Stable identifier, e.g. "validator-1". */
  id: string;
  /** Ed25519 public key, 32 bytes 0x-hex. */
  publicKey: Hex;
  /** Human-readable name. */
  name: string;
}

export interface BlockLimits {
  /** Most transactions in one block. */
  maxTxPerBlock: number;
  /** Largest canonical transaction, in bytes. */
  maxTxBytes: number;
  /** Largest sum of canonical transaction sizes in one block, in bytes. */
  maxBlockBytes: number;
}

/**
 * majority: floor(n/2)+1 certifies (2 of 3; survives one crashed or partitioned validator, not a
 * malicious one). bft: floor(2n/3)+1 (3 of 4; survives one malicious validator among 4).
 */
export type QuorumRule = 'majority' | 'bft';

export interface Genesis {
  /** Numeric chain id, served by eth_chainId and namespacing gossip topics. */
  chainId: number;
  /** Unix time of slot 0, in milliseconds. */
  genesisTime: number;
  /** Slot length in milliseconds. */
  slotDurationMs: number;
  /** Ordered authorities; the leader of slot s is authorities[s mod n]. */
  authorities: Authority[];
  quorum: QuorumRule;
  limits: BlockLimits;
  /**
   * Ed25519 public key that signs election configurations (docs/ELECTIONS.md). Optional: absent,
   * no election can be configured and every election is opaque as before; absent, it is also left
   * out of the genesis hash, so existing genesis documents keep their hash.
   */
  electionOperator?: Hex;
}

export const DEFAULT_LIMITS: BlockLimits = {
  maxTxPerBlock: 10_000,
  maxTxBytes: 16_384,
  maxBlockBytes: 8 * 1024 * 1024,
};
export const DEFAULT_SLOT_DURATION_MS = 1000;

function fail(message: string): never {
  throw new ProtocolError(ProtocolErrorCode.GENESIS_INVALID, `invalid genesis: ${message}`);
}

function positiveInt(v: unknown, field: string, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0 || v > max)
    fail(
      `${field} must be a positive integer${max < Number.MAX_SAFE_INTEGER ? ` <= ${max}` : ''}, got ${JSON.stringify(v)}`,
    );
  return v;
}

/** Validate an untrusted genesis document, filling defaults; the error names the bad field. */
export function parseGenesis(input: unknown): Genesis {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) fail('must be a JSON object');
  const g = input as Record<string, unknown>;
  const chainId = positiveInt(g.chainId, 'chainId', 2 ** 32);
  if (typeof g.genesisTime !== 'number' || !Number.isSafeInteger(g.genesisTime) || g.genesisTime < 0)
    fail(`genesisTime must be a non-negative integer (unix ms), got ${JSON.stringify(g.genesisTime)}`);
  const slotDurationMs =
    g.slotDurationMs === undefined
      ? DEFAULT_SLOT_DURATION_MS
      : positiveInt(g.slotDurationMs, 'slotDurationMs', 3_600_000);
  if (slotDurationMs < 50) fail(`slotDurationMs must be at least 50, got ${slotDurationMs}`);
  if (!Array.isArray(g.authorities) || g.authorities.length === 0) fail('authorities must be a non-empty array');
  if (g.authorities.length > 100) fail(`authorities must have at most 100 entries, got ${g.authorities.length}`);
  const ids = new Set<string>();
  const keys = new Set<string>();
  const authorities = g.authorities.map((a: unknown, i: number): Authority => {
    if (typeof a !== 'object' || a === null || Array.isArray(a)) fail(`authorities[${i}] must be an object`);
    const r = a as Record<string, unknown>;
    if (typeof r.id !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(r.id))
      fail(`authorities[${i}].id must match [A-Za-z0-9._-]{1,64}`);
    if (!isHex(r.publicKey, 32)) fail(`authorities[${i}].publicKey must be 32 bytes of lowercase 0x-hex`);
    const weakness = publicKeyWeakness(r.publicKey);
    if (weakness !== undefined) fail(`authorities[${i}].publicKey ${weakness}`);
    if (ids.has(r.id)) fail(`authorities[${i}].id ${r.id} is duplicated`);
    if (keys.has(r.publicKey)) fail(`authorities[${i}].publicKey is duplicated`);
    ids.add(r.id);
    keys.add(r.publicKey);
    const name = r.name === undefined ? r.id : r.name;
    if (typeof name !== 'string' || name.length > 128 || !isWellFormedString(name))
      fail(`authorities[${i}].name must be a well-formed string of at most 128 characters`);
    return { id: r.id, publicKey: r.publicKey, name };
  });
  const quorum = g.quorum === undefined ? 'majority' : g.quorum;
  if (quorum !== 'majority' && quorum !== 'bft')
    fail(`quorum must be "majority" or "bft", got ${JSON.stringify(quorum)}`);
  const l = (g.limits === undefined ? {} : g.limits) as Record<string, unknown>;
  if (typeof l !== 'object' || l === null || Array.isArray(l)) fail('limits must be an object');
  const limits: BlockLimits = {
    maxTxPerBlock:
      l.maxTxPerBlock === undefined
        ? DEFAULT_LIMITS.maxTxPerBlock
        : positiveInt(l.maxTxPerBlock, 'limits.maxTxPerBlock', 1_000_000),
    maxTxBytes:
      l.maxTxBytes === undefined ? DEFAULT_LIMITS.maxTxBytes : positiveInt(l.maxTxBytes, 'limits.maxTxBytes', 1 << 20),
    maxBlockBytes:
      l.maxBlockBytes === undefined
        ? DEFAULT_LIMITS.maxBlockBytes
        : positiveInt(l.maxBlockBytes, 'limits.maxBlockBytes', 64 << 20),
  };
  if (limits.maxBlockBytes < limits.maxTxBytes) fail('limits.maxBlockBytes must be at least limits.maxTxBytes');
  const genesis: Genesis = { chainId, genesisTime: g.genesisTime, slotDurationMs, authorities, quorum, limits };
  if (g.electionOperator !== undefined) {
    if (!isHex(g.electionOperator, 32)) fail('electionOperator must be 32 bytes of lowercase 0x-hex');
    const weakness = publicKeyWeakness(g.electionOperator);
    if (weakness !== undefined) fail(`electionOperator ${weakness}`);
    if (keys.has(g.electionOperator)) fail('electionOperator must not be an authority key');
    genesis.electionOperator = g.electionOperator;
  }
  return genesis;
}

/** Number of distinct authority signatures that certify a block. */
export function quorumSize(genesis: Pick<Genesis, 'authorities' | 'quorum'>): number {
  const n = genesis.authorities.length;
  return genesis.quorum === 'bft' ? Math.floor((2 * n) / 3) + 1 : Math.floor(n / 2) + 1;
}

/** Index of the authority that leads a slot. */
export function leaderOf(genesis: Pick<Genesis, 'authorities'>, slot: number): number {
  return slot % genesis.authorities.length;
}

/** Slot that contains a unix time in ms (-1 before genesis). */
export function slotAt(genesis: Pick<Genesis, 'genesisTime' | 'slotDurationMs'>, timeMs: number): number {
  if (timeMs < genesis.genesisTime) return -1;
  return Math.floor((timeMs - genesis.genesisTime) / genesis.slotDurationMs);
}

/** Start time of a slot in unix ms: the timestamp of blocks created in it. */
export function slotStart(genesis: Pick<Genesis, 'genesisTime' | 'slotDurationMs'>, slot: number): number {
  return genesis.genesisTime + slot * genesis.slotDurationMs;
}

/** Hash of the genesis document: the parent hash of block 1 and the chain's identity. */
export function genesisHash(genesis: Genesis): Hex {
  return hashCanonical({ type: 'genesis', ...genesis });
}
