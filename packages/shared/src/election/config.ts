/**
 * The election configuration carried by an `@poa/election` transaction: which candidates, which
 * ballot format, which selection limits and which block heights the election is open for.
 * Specified in docs/PROTOCOL.md section 16.
 */
import { isWellFormedString } from '../encoding.js';
import { ProtocolError, ProtocolErrorCode } from '../errors.js';
import { MAX_ENCRYPTED_CANDIDATES } from '../crypto/index.js';
import { MAX_CANDIDATE_NAME_BYTES } from '../ballot.js';
import { MAX_CANDIDATES_PER_ELECTION } from '../tally.js';

export const CONFIG_TYPE = 'poa-evoting/election-config';
/** Blocks a key-ceremony phase waits for late trustees before it moves on (or fails). */
export const DEFAULT_DKG_PHASE_BLOCKS = 20;

/** `plain`: ballots are read as today (JSON, hex or base64 naming a candidate); `encrypted`: ElGamal ballots. */
export type BallotFormat = 'plain' | 'encrypted';

export interface ElectionConfig {
  type: typeof CONFIG_TYPE;
  v: 1;
  /** The `<id>` of the transactions' `election-<id>`. */
  electionId: string;
  /** Candidate names, in ballot order for an encrypted election. */
  candidates: string[];
  ballotFormat: BallotFormat;
  /** Selections a ballot must make (encrypted); both 1 for a plain election. */
  minSelections: number;
  maxSelections: number;
  /** Ballots are valid in blocks of heights openHeight <= h < closeHeight. */
  openHeight: number;
  closeHeight: number;
  /** Longest wait, in blocks, of each key-ceremony phase for late trustees. */
  dkgPhaseBlocks: number;
}

const ID_RE = /^[A-Za-z0-9_.-]{1,64}$/;
const MEMBERS = new Set([
  'type',
  'v',
  'electionId',
  'candidates',
  'ballotFormat',
  'minSelections',
  'maxSelections',
  'openHeight',
  'closeHeight',
  'dkgPhaseBlocks',
]);

function invalid(field: string, what: string): never {
  throw new ProtocolError(ProtocolErrorCode.ELECTION_INVALID, `${field}: ${what}`, { field });
}

function int(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max)
    invalid(field, `must be an integer in ${min}..${max}`);
  return value;
}

/** Validate an election configuration (structure and every rule); ELECTION_INVALID names the field. */
export function parseElectionConfig(value: unknown, field = 'config'): ElectionConfig {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) invalid(field, 'must be a JSON object');
  const o = value as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!MEMBERS.has(k)) invalid(`${field}.${k}`, 'is not a member of a configuration');
  if (o.type !== CONFIG_TYPE) invalid(`${field}.type`, `must be "${CONFIG_TYPE}"`);
  if (o.v !== 1) invalid(`${field}.v`, `unsupported version ${JSON.stringify(o.v)}`);
  if (typeof o.electionId !== 'string' || !ID_RE.test(o.electionId))
    invalid(`${field}.electionId`, 'must be 1-64 characters [A-Za-z0-9_.-]');
  if (o.ballotFormat !== 'plain' && o.ballotFormat !== 'encrypted')
    invalid(`${field}.ballotFormat`, 'must be "plain" or "encrypted"');
  const encrypted = o.ballotFormat === 'encrypted';
  const maxCandidates = encrypted ? MAX_ENCRYPTED_CANDIDATES : MAX_CANDIDATES_PER_ELECTION;
  if (!Array.isArray(o.candidates) || o.candidates.length < 1 || o.candidates.length > maxCandidates)
    invalid(`${field}.candidates`, `must list 1..${maxCandidates} names`);
  const seen = new Set<string>();
  const candidates = o.candidates.map((c: unknown, i: number): string => {
    if (
      typeof c !== 'string' ||
      c.length === 0 ||
      !isWellFormedString(c) ||
      new TextEncoder().encode(c).length > MAX_CANDIDATE_NAME_BYTES
    )
      invalid(`${field}.candidates[${i}]`, `must be a well-formed name of 1-${MAX_CANDIDATE_NAME_BYTES} UTF-8 bytes`);
    if (seen.has(c)) invalid(`${field}.candidates[${i}]`, `duplicates ${JSON.stringify(c)}`);
    seen.add(c);
    return c;
  });
  const maxSelections =
    o.maxSelections === undefined ? 1 : int(o.maxSelections, `${field}.maxSelections`, 1, candidates.length);
  const minSelections =
    o.minSelections === undefined ? 1 : int(o.minSelections, `${field}.minSelections`, 0, maxSelections);
  if (!encrypted && (minSelections !== 1 || maxSelections !== 1))
    invalid(`${field}.maxSelections`, 'a plain ballot names one candidate: minSelections = maxSelections = 1');
  const openHeight = int(o.openHeight, `${field}.openHeight`, 1, Number.MAX_SAFE_INTEGER - 1);
  const closeHeight = int(o.closeHeight, `${field}.closeHeight`, openHeight + 1, Number.MAX_SAFE_INTEGER);
  const dkgPhaseBlocks =
    o.dkgPhaseBlocks === undefined
      ? DEFAULT_DKG_PHASE_BLOCKS
      : int(o.dkgPhaseBlocks, `${field}.dkgPhaseBlocks`, 1, 100_000);
  return {
    type: CONFIG_TYPE,
    v: 1,
    electionId: o.electionId,
    candidates,
    ballotFormat: o.ballotFormat,
    minSelections,
    maxSelections,
    openHeight,
    closeHeight,
    dkgPhaseBlocks,
  };
}
