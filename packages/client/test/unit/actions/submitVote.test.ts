import { afterEach, describe, expect, it } from '@jest/globals';
import { txHash } from '@poa-vote/shared';
import {
  AbortError,
  DoubleVoteError,
  InvalidVoteError,
  NoHealthyValidatorError,
  NotReplicatedError,
  createVotingClient,
  type VotingClient,
} from '@poa-vote/client';
import { FakeValidator, RpcFailure, startValidators } from '../helpers/fakeValidator.js';

const VOTE = { voterId: 'voter-1', electionId: 7, encryptedVote: '{"candidate_id":"alice"}' };
const HASH = txHash({ from: 'voter-1', to: 'election-7', data: '{"candidate_id":"alice"}' });

const BLOCK = `0x${'bb'.repeat(32)}`;

/** The -32012 answer of a validator that took the vote but could not confirm a quorum holds it. */
function notReplicated(): RpcFailure {
  return new RpcFailure(-32012, 'vote not held by a quorum in time', {
    code: 'TX_NOT_REPLICATED',
    hash: HASH,
    holders: 1,
    needed: 2,
  });
}

let fakes: FakeValidator[] = [];
let client: VotingClient | undefined;

function connect(vs: FakeValidator[], extra: Parameters<typeof createVotingClient>[0] = {}): VotingClient {
  client = createVotingClient({
    validators: vs.map((v) => v.config),
    healthCheckIntervalMs: 0,
    requestTimeoutMs: 400,
    retry: { attempts: 4, baseDelayMs: 1, maxDelayMs: 5 },
    ...extra,
  });
  return client;
}

afterEach(async () => {
  client?.close();
  client = undefined;
  await Promise.all(fakes.map((f) => f.close()));
  fakes = [];
});

describe('submitVote', () => {
  it('returns the locally computed hash, the submission id it sent, and the validator', async () => {
    fakes = await startValidators(3);
    const c = connect(fakes);
    const r = await c.submitVote({ ...VOTE, transactionId: 'sub-1' });
    expect(r).toEqual({ hash: HASH, submissionId: 'sub-1', validator: 'validator-1' });
    const [call] = fakes[0]!.callsOf('eth_sendTransaction');
    expect(call!.id).toBe('sub-1');
    expect(call!.params[0]).toEqual({ from: 'voter-1', to: 'election-7', data: VOTE.encryptedVote });
  });

  it('generates a submission id when none is given', async () => {
    fakes = await startValidators(1);
    const r = await connect(fakes).submitVote(VOTE);
    expect(typeof r.submissionId).toBe('string');
    expect(fakes[0]!.callsOf('eth_sendTransaction')[0]!.id).toBe(r.submissionId);
  });

  it.each([
    ['HTTP 500', (v: FakeValidator) => (v.rpcFault = { status: 500 })],
    ['HTTP 503', (v: FakeValidator) => (v.rpcFault = { status: 503 })],
    ['HTTP 429', (v: FakeValidator) => (v.rpcFault = { status: 429 })],
    ['a hanging validator (timeout)', (v: FakeValidator) => (v.rpcFault = 'hang')],
    ['a reset connection', (v: FakeValidator) => (v.rpcFault = 'destroy')],
    [
      'POOL_FULL',
      (v: FakeValidator) =>
        (v.rpc.eth_sendTransaction = () => {
          throw new RpcFailure(-32011, 'transaction pool is full', { code: 'POOL_FULL' });
        }),
    ],
    ['a wrong hash in the answer', (v: FakeValidator) => (v.rpc.eth_sendTransaction = () => `0x${'ab'.repeat(32)}`)],
    [
      'TX_NOT_REPLICATED (-32012)',
      (v: FakeValidator) =>
        (v.rpc.eth_sendTransaction = () => {
          throw notReplicated();
        }),
    ],
    [
      'RECOVERING (-32002)',
      (v: FakeValidator) =>
        (v.rpc.eth_sendTransaction = () => {
          throw new RpcFailure(-32002, 'validator is recovering its data', { code: 'RECOVERING' });
        }),
    ],
  ])('fails over on %s: the same vote goes to the next validator and one hash comes back', async (_name, breakIt) => {
    fakes = await startValidators(3);
    breakIt(fakes[0]!);
    const c = connect(fakes);
    const r = await c.submitVote({ ...VOTE, transactionId: 'sub-fo' });
    expect(r).toEqual({ hash: HASH, submissionId: 'sub-fo', validator: 'validator-2' });
    expect(fakes[0]!.requests).toContain('POST /rpc');
    const resent = fakes[1]!.callsOf('eth_sendTransaction');
    expect(resent).toHaveLength(1);
    expect(resent[0]!.id).toBe('sub-fo');
    expect(txHash(resent[0]!.params[0] as never)).toBe(HASH);
    expect(fakes[2]!.callsOf('eth_sendTransaction')).toHaveLength(0);
    expect(c.pool.status('validator-1')!.healthy).toBe(false);
  });

  it('fails over when the first validator is not even listening', async () => {
    fakes = await startValidators(2);
    const dead = await FakeValidator.start('validator-0');
    const deadUrl = dead.url;
    await dead.close();
    client = createVotingClient({
      validators: [{ nodeId: 'validator-0', rpcUrl: deadUrl }, ...fakes.map((f) => f.config)],
      healthCheckIntervalMs: 0,
      retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 },
    });
    const r = await client.submitVote(VOTE);
    expect(r.validator).toBe('validator-1');
    expect(r.hash).toBe(HASH);
  });

  it('does not retry a double vote and reports what it conflicts with', async () => {
    fakes = await startValidators(3);
    const earlier = `0x${'11'.repeat(32)}`;
    for (const f of fakes) {
      f.rpc.eth_sendTransaction = () => {
        throw new RpcFailure(-32010, 'voter-1 already voted in election-7', {
          code: 'TX_DOUBLE_VOTE',
          conflictsWith: earlier,
        });
      };
    }
    const c = connect(fakes);
    const err = await c.submitVote(VOTE).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DoubleVoteError);
    expect((err as DoubleVoteError).conflictsWith).toBe(earlier);
    expect((err as DoubleVoteError).name).toBe('DoubleVoteError');
    expect(fakes.reduce((n, f) => n + f.callsOf('eth_sendTransaction').length, 0)).toBe(1);
    expect(c.pool.healthyCount).toBe(3);
  });

  it('treats a "double vote" that conflicts with this very vote as already accepted', async () => {
    fakes = await startValidators(1);
    fakes[0]!.rpc.eth_sendTransaction = () => {
      throw new RpcFailure(-32010, 'already voted', { code: 'TX_DOUBLE_VOTE', conflictsWith: HASH });
    };
    const r = await connect(fakes).submitVote(VOTE);
    expect(r.hash).toBe(HASH);
  });

  it('does not retry invalid params', async () => {
    fakes = await startValidators(3);
    for (const f of fakes)
      f.rpc.eth_sendTransaction = () => {
        throw new RpcFailure(-32602, 'transaction "data" too large', { code: 'TX_TOO_LARGE' });
      };
    const err = await connect(fakes)
      .submitVote(VOTE)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidVoteError);
    expect((err as Error).message).toMatch(/too large/);
    expect(fakes.reduce((n, f) => n + f.callsOf('eth_sendTransaction').length, 0)).toBe(1);
  });

  it('rejects a malformed vote before sending anything, naming the field', async () => {
    fakes = await startValidators(1);
    const c = connect(fakes);
    await expect(c.submitVote({ ...VOTE, voterId: 'has spaces' })).rejects.toThrow(/"from" \(voter id\)/);
    await expect(c.submitVote({ ...VOTE, electionId: 'bad id!' })).rejects.toBeInstanceOf(InvalidVoteError);
    await expect(c.submitVote({ ...VOTE, encryptedVote: 42 as unknown as string })).rejects.toThrow(
      /encryptedVote must be a string/,
    );
    expect(fakes[0]!.calls).toHaveLength(0);
  });

  it('throws NoHealthyValidatorError listing every failed attempt when all fail', async () => {
    fakes = await startValidators(2);
    for (const f of fakes) f.rpcFault = { status: 500 };
    const err = await connect(fakes)
      .submitVote(VOTE)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoHealthyValidatorError);
    const attempts = (err as NoHealthyValidatorError).attempts;
    expect(attempts).toHaveLength(4);
    expect(new Set(attempts.map((a) => a.validator))).toEqual(new Set(['validator-1', 'validator-2']));
    expect((err as Error).message).toMatch(/status 500/);
  });

  it('stops with AbortError when the caller aborts', async () => {
    fakes = await startValidators(1);
    fakes[0]!.rpcFault = 'hang';
    const c = connect(fakes, { requestTimeoutMs: 10_000 });
    const ac = new AbortController();
    const p = c.submitVote({ ...VOTE, signal: ac.signal });
    setTimeout(() => ac.abort(), 30);
    const err = await p.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortError);
    expect((err as Error).name).toBe('AbortError');
  });

  it('types -32012 as NotReplicatedError (retryable, stable name) in the attempts of an exhausted submission', async () => {
    fakes = await startValidators(2);
    for (const f of fakes)
      f.rpc.eth_sendTransaction = () => {
        throw notReplicated();
      };
    const err = await connect(fakes)
      .submitVote(VOTE)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoHealthyValidatorError);
    const attempts = (err as NoHealthyValidatorError).attempts;
    expect(attempts.map((a) => a.validator)).toEqual(['validator-1', 'validator-2', 'validator-1', 'validator-2']);
    for (const a of attempts) {
      expect(a.error).toBeInstanceOf(NotReplicatedError);
      expect(a.error.name).toBe('NotReplicatedError');
      expect(a.error).toMatchObject({ hash: HASH, holders: 1, needed: 2 });
    }
  });

  it('stops at a double vote even where another validator would have taken the vote', async () => {
    fakes = await startValidators(3);
    fakes[0]!.rpc.eth_sendTransaction = () => {
      throw new RpcFailure(-32010, 'voter-1 already voted in election-7', {
        code: 'TX_DOUBLE_VOTE',
        conflictsWith: `0x${'11'.repeat(32)}`,
      });
    };
    const err = await connect(fakes)
      .submitVote({ ...VOTE, until: 'finalized' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DoubleVoteError);
    expect(fakes[1]!.callsOf('eth_sendTransaction')).toHaveLength(0);
    expect(fakes[2]!.callsOf('eth_sendTransaction')).toHaveLength(0);
  });
});

describe('submitVote with until', () => {
  /** Validators that answer like current ones and finalize a vote as soon as they take it. */
  async function finalizingValidators(n: number): Promise<FakeValidator[]> {
    const vs = await startValidators(n);
    for (const v of vs) {
      v.statusMode = 'tracking';
      v.wsEnabled = false;
      const take = v.rpc.eth_sendTransaction!;
      v.rpc.eth_sendTransaction = (params, call) => {
        const hash = take(params, call) as string;
        v.statuses.set(hash, { state: 'finalized', hash, blockHash: BLOCK, blockNumber: 3, transactionIndex: 0 });
        return hash;
      };
    }
    return vs;
  }

  it('resolves with the final status', async () => {
    fakes = await finalizingValidators(1);
    const r = await connect(fakes).submitVote({
      ...VOTE,
      transactionId: 'sub-u',
      until: 'finalized',
      confirmation: { pollIntervalMs: 20, timeoutMs: 3000 },
    });
    expect(r).toMatchObject({
      hash: HASH,
      submissionId: 'sub-u',
      validator: 'validator-1',
      status: { state: 'finalized', blockNumber: 3, resends: 0 },
    });
  });

  it('does not give up on a vote every validator answered -32012 to: the wait re-sends it until it is final', async () => {
    fakes = await finalizingValidators(3);
    // validator-1 and -2 took the vote but cannot confirm a quorum (they keep it to themselves).
    for (const v of fakes.slice(0, 2)) {
      v.rpc.eth_sendTransaction = (params) => {
        v.received.set(HASH, params[0] as never);
        throw notReplicated();
      };
      v.statuses.set(HASH, { state: 'accepted', hash: HASH });
    }
    const c = connect(fakes, { retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 } });
    const r = await c.submitVote({
      ...VOTE,
      transactionId: 'sub-nr',
      until: 'finalized',
      confirmation: { pollIntervalMs: 20, resendAfterMs: 100, timeoutMs: 5000 },
    });
    expect(r.status).toMatchObject({ state: 'finalized', validator: 'validator-3', acknowledgedBy: 'validator-3' });
    expect(r.status!.resends).toBeGreaterThanOrEqual(1);
    expect(r.validator).toBe('validator-3');
    const resent = fakes[2]!.callsOf('eth_sendTransaction');
    expect(resent).toHaveLength(1);
    expect(resent[0]!.id).toBe('sub-nr');
    expect(txHash(resent[0]!.params[0] as never)).toBe(HASH);
  });

  it('control: without until the same -32012 answers leave the caller with an error and the vote on no quorum', async () => {
    fakes = await finalizingValidators(3);
    for (const v of fakes.slice(0, 2))
      v.rpc.eth_sendTransaction = () => {
        throw notReplicated();
      };
    const c = connect(fakes, { retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 } });
    await expect(c.submitVote(VOTE)).rejects.toBeInstanceOf(NoHealthyValidatorError);
    await new Promise((r) => setTimeout(r, 100));
    expect(fakes[2]!.callsOf('eth_sendTransaction')).toHaveLength(0);
  });
});
