import { afterEach, describe, expect, it } from '@jest/globals';
import { type Transaction, txHash } from '@poa-vote/shared';
import {
  DoubleVoteError,
  InvalidVoteError,
  NoHealthyValidatorError,
  NotReplicatedError,
  createVotingClient,
  type VotingClient,
} from '@poa-vote/client';
import { FakeValidator, RpcFailure, startValidators } from '../helpers/fakeValidator.js';

let fakes: FakeValidator[] = [];
let client: VotingClient | undefined;

function connect(vs: FakeValidator[]): VotingClient {
  client = createVotingClient({
    validators: vs.map((v) => v.config),
    healthCheckIntervalMs: 0,
    requestTimeoutMs: 400,
    retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 },
  });
  return client;
}

const votes = Array.from({ length: 6 }, (_, i) => ({
  voterId: `voter-${i}`,
  electionId: 3,
  encryptedVote: `ballot-${i}`,
  transactionId: `s-${i}`,
}));
const hashOf = (i: number): string => txHash({ from: `voter-${i}`, to: 'election-3', data: `ballot-${i}` });

afterEach(async () => {
  client?.close();
  client = undefined;
  await Promise.all(fakes.map((f) => f.close()));
  fakes = [];
});

describe('submitVotes', () => {
  it('sends one JSON-RPC batch and returns one result per vote, in order', async () => {
    fakes = await startValidators(2);
    const results = await connect(fakes).submitVotes(votes);
    expect(results.map((r) => r.ok && r.hash)).toEqual(votes.map((_, i) => hashOf(i)));
    expect(results.every((r) => r.ok && r.validator === 'validator-1')).toBe(true);
    expect(fakes[0]!.requests.filter((r) => r === 'POST /rpc')).toHaveLength(1);
    expect(fakes[0]!.callsOf('eth_sendTransaction').map((c) => c.id)).toEqual(votes.map((v) => v.transactionId));
  });

  it('fails over only the votes that need it; definitive errors stay with their vote', async () => {
    fakes = await startValidators(2);
    const conflict = `0x${'12'.repeat(32)}`;
    fakes[0]!.rpc.eth_sendTransaction = (params) => {
      const tx = params[0] as Transaction;
      if (tx.from === 'voter-1' || tx.from === 'voter-4')
        throw new RpcFailure(-32011, 'pool full', { code: 'POOL_FULL' });
      if (tx.from === 'voter-2')
        throw new RpcFailure(-32010, 'double vote', { code: 'TX_DOUBLE_VOTE', conflictsWith: conflict });
      if (tx.from === 'voter-3') throw new RpcFailure(-32602, 'bad ballot');
      return txHash(tx);
    };
    const results = await connect(fakes).submitVotes(votes);
    expect(results.map((r) => (r.ok ? r.validator : r.error.name))).toEqual([
      'validator-1',
      'validator-2',
      'DoubleVoteError',
      'InvalidVoteError',
      'validator-2',
      'validator-1',
    ]);
    expect(((results[2] as { error: unknown }).error as DoubleVoteError).conflictsWith).toBe(conflict);
    expect(fakes[1]!.callsOf('eth_sendTransaction').map((c) => c.id)).toEqual(['s-1', 's-4']);
    expect(results[1]!.hash).toBe(hashOf(1));
  });

  it('sends votes answered TX_NOT_REPLICATED (-32012) or RECOVERING (-32002) to the next validator, identical', async () => {
    fakes = await startValidators(2);
    fakes[0]!.rpc.eth_sendTransaction = (params) => {
      const tx = params[0] as Transaction;
      const hash = txHash(tx);
      if (tx.from === 'voter-0')
        throw new RpcFailure(-32012, 'vote not replicated in time', {
          code: 'TX_NOT_REPLICATED',
          hash,
          holders: 1,
          needed: 2,
        });
      if (tx.from === 'voter-5') throw new RpcFailure(-32002, 'validator is recovering', { code: 'RECOVERING' });
      if (tx.from === 'voter-2')
        throw new RpcFailure(-32010, 'double vote', { code: 'TX_DOUBLE_VOTE', conflictsWith: `0x${'12'.repeat(32)}` });
      return hash;
    };
    const results = await connect(fakes).submitVotes(votes);
    expect(results.map((r) => (r.ok ? r.validator : r.error.name))).toEqual([
      'validator-2',
      'validator-1',
      'DoubleVoteError',
      'validator-1',
      'validator-1',
      'validator-2',
    ]);
    const resent = fakes[1]!.callsOf('eth_sendTransaction');
    expect(resent.map((c) => c.id)).toEqual(['s-0', 's-5']);
    expect(resent.map((c) => txHash(c.params[0] as Transaction))).toEqual([hashOf(0), hashOf(5)]);
  });

  it('lists NotReplicatedError per attempt when no validator can confirm a quorum holds the vote', async () => {
    fakes = await startValidators(2);
    for (const f of fakes) {
      f.rpc.eth_sendTransaction = (params) => {
        throw new RpcFailure(-32012, 'vote not replicated in time', {
          code: 'TX_NOT_REPLICATED',
          hash: txHash(params[0] as Transaction),
          holders: 1,
          needed: 2,
        });
      };
    }
    const [r] = await connect(fakes).submitVotes(votes.slice(0, 1));
    if (r === undefined || r.ok) throw new Error(`expected a failed result, got ${JSON.stringify(r)}`);
    const err = r.error as NoHealthyValidatorError;
    expect(err).toBeInstanceOf(NoHealthyValidatorError);
    expect(err.attempts).toHaveLength(3);
    expect(
      err.attempts.every((a) => a.error instanceof NotReplicatedError && (a.error as NotReplicatedError).holders === 1),
    ).toBe(true);
  });

  it('fails the whole batch over when the request itself fails', async () => {
    fakes = await startValidators(2);
    fakes[0]!.rpcFault = { status: 502 };
    const results = await connect(fakes).submitVotes(votes.slice(0, 3));
    expect(results.every((r) => r.ok && r.validator === 'validator-2')).toBe(true);
  });

  it('reports NoHealthyValidatorError per vote when every validator refuses it', async () => {
    fakes = await startValidators(2);
    for (const f of fakes) {
      f.rpc.eth_sendTransaction = (params) => {
        const tx = params[0] as Transaction;
        if (tx.from === 'voter-0') throw new RpcFailure(-32011, 'pool full', { code: 'POOL_FULL' });
        return txHash(tx);
      };
    }
    const results = await connect(fakes).submitVotes(votes.slice(0, 2));
    expect(results[1]!.ok).toBe(true);
    const failed = results[0]!;
    expect(failed.ok).toBe(false);
    expect(!failed.ok && failed.error).toBeInstanceOf(NoHealthyValidatorError);
    expect(!failed.ok && (failed.error as NoHealthyValidatorError).attempts).toHaveLength(3);
  });

  it('rejects malformed votes and duplicate submission ids locally', async () => {
    fakes = await startValidators(1);
    const results = await connect(fakes).submitVotes([
      votes[0]!,
      { ...votes[1]!, voterId: '' },
      { ...votes[2]!, transactionId: 's-0' },
    ]);
    expect(results[0]!.ok).toBe(true);
    expect(!results[1]!.ok && results[1]!.error).toBeInstanceOf(InvalidVoteError);
    expect(!results[2]!.ok && results[2]!.error.message).toMatch(/appears twice/);
    expect(fakes[0]!.callsOf('eth_sendTransaction')).toHaveLength(1);
  });

  it('splits large inputs into batches of batchSize', async () => {
    fakes = await startValidators(1);
    const results = await connect(fakes).submitVotes(votes, { batchSize: 4 });
    expect(results.every((r) => r.ok)).toBe(true);
    expect(fakes[0]!.requests.filter((r) => r === 'POST /rpc')).toHaveLength(2);
    await expect(client!.submitVotes(votes, { batchSize: 0 })).rejects.toThrow(/batchSize/);
  });
});
