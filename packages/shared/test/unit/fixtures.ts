/** Test fixtures: a genesis with fresh authority keys, blocks and votes built through the protocol's own functions. */
import { expect } from '@jest/globals';
import {
  type Block,
  type BlockLimits,
  type Genesis,
  type Hex,
  type QuorumRule,
  type QuorumCertificate,
  type Transaction,
  type VoteType,
  ProtocolError,
  ProtocolErrorCode,
  Signer,
  certificateFromVotes,
  createBlock,
  createVote,
  generateKeyPair,
  leaderOf,
  parseGenesis,
} from '@poa-vote/shared';

export const GENESIS_TIME = 1_700_000_000_000;

export interface TestChain {
  genesis: Genesis;
  signers: Signer[];
}

/** A chain with n fresh authorities "validator-1".."validator-n". */
export function makeChain(
  opts: { n?: number; quorum?: QuorumRule; chainId?: number; limits?: Partial<BlockLimits>; signers?: Signer[] } = {},
): TestChain {
  const signers = opts.signers ?? Array.from({ length: opts.n ?? 3 }, () => new Signer(generateKeyPair().privateKey));
  const genesis = parseGenesis({
    chainId: opts.chainId ?? 1337,
    genesisTime: GENESIS_TIME,
    slotDurationMs: 1000,
    authorities: signers.map((s, i) => ({ id: `validator-${i + 1}`, publicKey: s.publicKey })),
    quorum: opts.quorum ?? 'majority',
    ...(opts.limits ? { limits: opts.limits } : {}),
  });
  return { genesis, signers };
}

/** A vote transaction of voter i in an election. */
export function tx(i: number, election = '1', candidate = 'alice'): Transaction {
  return { from: `voter-${i}`, to: `election-${election}`, data: JSON.stringify({ candidate_id: candidate }) };
}

/** A block signed by the leader of its slot. */
export function makeBlock(
  chain: TestChain,
  p: { height: number; slot: number; parentHash: Hex; transactions?: Transaction[] },
): Block {
  const proposer = leaderOf(chain.genesis, p.slot);
  return createBlock(
    chain.genesis,
    { height: p.height, slot: p.slot, parentHash: p.parentHash, proposer, transactions: p.transactions ?? [] },
    chain.signers[proposer]!,
  );
}

/** A certificate of votes by the given authority indexes. */
export function makeCertificate(
  chain: TestChain,
  type: VoteType,
  block: Pick<Block, 'hash' | 'header'>,
  validators: number[],
  slot = block.header.slot,
): QuorumCertificate {
  return certificateFromVotes(
    validators.map((i) =>
      createVote(chain.genesis, chain.signers[i]!, i, {
        type,
        height: block.header.height,
        slot,
        blockHash: block.hash,
      }),
    ),
  );
}

/** A deep copy of a JSON value, to tamper with untrusted input. */
export function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/** Flip the last hex digit of a hex string. */
export function flipHex(h: Hex): Hex {
  const last = h[h.length - 1] === '0' ? '1' : '0';
  return `${h.slice(0, -1)}${last}` as Hex;
}

/** Run fn and check it throws a ProtocolError with this code and a message matching `message`. */
export function expectProtocolError(
  fn: () => unknown,
  code: ProtocolErrorCode,
  message?: RegExp | string,
): ProtocolError {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ProtocolError);
  const pe = err as ProtocolError;
  expect(pe.code).toBe(code);
  if (message !== undefined) expect(pe.message).toMatch(message);
  return pe;
}
