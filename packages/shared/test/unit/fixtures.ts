/** Test fixtures: a genesis with fresh authority keys, blocks and votes built through the protocol's own functions. */
import { expect } from '@jest/globals';
import {
  type Block,
  type BlockLimits,
  type Genesis,
  type Hex,
  type QuorumRule,
  type QuorumCertificate,
  type Signer,
  type Transaction,
  type VoteType,
  ProtocolError,
  type ProtocolErrorCode,
} from '@poa-vote/shared';
import { GENESIS_TIME, leaderBlock, makeTestChain, voteCertificate, voteTx } from '@poa-vote/test-utils';

export { GENESIS_TIME };

export interface TestChain {
  genesis: Genesis;
  signers: Signer[];
}

/** A chain with n fresh authorities "validator-1".."validator-n". */
export function makeChain(
  opts: { n?: number; quorum?: QuorumRule; chainId?: number; limits?: Partial<BlockLimits>; signers?: Signer[] } = {},
): TestChain {
  const { genesis, signers } = makeTestChain({ ...opts, quorum: opts.quorum ?? 'majority' });
  return { genesis, signers };
}

/** A vote transaction of voter i in an election. */
export function tx(i: number, election = '1', candidate = 'alice'): Transaction {
  return voteTx(`voter-${i}`, election, candidate);
}

/** A block signed by the leader of its slot. */
export function makeBlock(
  chain: TestChain,
  p: { height: number; slot: number; parentHash: Hex; transactions?: Transaction[] },
): Block {
  return leaderBlock(chain, p);
}

/** A certificate of votes by the given authority indexes. */
export function makeCertificate(
  chain: TestChain,
  type: VoteType,
  block: Pick<Block, 'hash' | 'header'>,
  validators: number[],
  slot = block.header.slot,
): QuorumCertificate {
  return voteCertificate(chain, type, block, validators, slot);
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
