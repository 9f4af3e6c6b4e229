import { afterEach, describe, expect, it } from '@jest/globals';
import { txHash } from '@poa-vote/shared';
import {
  AbortError,
  DoubleVoteError,
  InvalidArgumentError,
  TimeoutError,
  createVotingClient,
  type VotingClient,
} from '@poa-vote/client';
import { FakeValidator, RpcFailure, startValidators, until } from '../helpers/fakeValidator.js';

const HASH = `0x${'aa'.repeat(32)}`;
const BLOCK = `0x${'bb'.repeat(32)}`;

let fakes: FakeValidator[] = [];
let client: VotingClient | undefined;

function connect(vs: FakeValidator[]): VotingClient {
  client = createVotingClient({
    validators: vs.map((v) => v.config),
    healthCheckIntervalMs: 0,
    requestTimeoutMs: 500,
    retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
    webSocket: { reconnect: { baseDelayMs: 10, maxDelayMs: 20 } },
  });
  return client;
}

const closed = new Set<FakeValidator>();

afterEach(async () => {
  client?.close();
  client = undefined;
  await Promise.all(fakes.filter((f) => !closed.has(f)).map((f) => f.close()));
  closed.clear();
  fakes = [];
});

/** Stop a fake validator for good (a validator destroyed with its disk). */
async function kill(v: FakeValidator): Promise<void> {
  closed.add(v);
  await v.close();
}

describe('waitForConfirmation', () => {
  it('re-checks the status on a finalizedHeads push and resolves (no polling involved)', async () => {
    fakes = await startValidators(1);
    const v = fakes[0]!;
    const c = connect(fakes);
    // A poll interval far beyond the test's life: only a push can resolve this wait.
    const wait = c.waitForConfirmation(HASH, { pollIntervalMs: 600_000, timeoutMs: 4000 });
    await until(() => v.subscriptions === 1, 3000, 'the subscription');
    await until(() => v.callsOf('poa_getTransactionStatus').length >= 2, 3000, 'the checks after subscribing');
    const checks = v.callsOf('poa_getTransactionStatus').length;
    v.statuses.set(HASH, { state: 'finalized', hash: HASH, blockHash: BLOCK, blockNumber: 12, transactionIndex: 0 });
    expect(v.push('finalizedHeads', { number: '0xc', hash: BLOCK })).toBe(1);
    const s = await wait;
    expect(s).toMatchObject({
      state: 'finalized',
      hash: HASH,
      blockHash: BLOCK,
      blockNumber: 12,
      validator: 'validator-1',
    });
    expect(v.callsOf('poa_getTransactionStatus').length).toBe(checks + 1);
    await until(() => v.subscriptions === 0, 3000, 'the unsubscribe');
  });

  it('with until: "included" subscribes to candidateHeads and resolves on inclusion', async () => {
    fakes = await startValidators(1);
    const v = fakes[0]!;
    const wait = connect(fakes).waitForConfirmation(HASH, {
      until: 'included',
      pollIntervalMs: 600_000,
      timeoutMs: 4000,
    });
    await until(() => v.subscriptions === 1, 3000, 'the subscription');
    v.statuses.set(HASH, { state: 'included', hash: HASH, blockHash: BLOCK, blockNumber: 3 });
    v.push('candidateHeads', { number: '0x3', hash: BLOCK });
    await expect(wait).resolves.toMatchObject({ state: 'included', blockNumber: 3 });
  });

  it('polls when the validator has no WebSocket', async () => {
    fakes = await startValidators(1);
    const v = fakes[0]!;
    v.wsEnabled = false;
    const wait = connect(fakes).waitForConfirmation(HASH, { pollIntervalMs: 20, timeoutMs: 4000 });
    await until(() => v.callsOf('poa_getTransactionStatus').length >= 3, 3000, 'polls');
    v.statuses.set(HASH, { state: 'finalized', hash: HASH, blockHash: BLOCK, blockNumber: 1, transactionIndex: 0 });
    await expect(wait).resolves.toMatchObject({ state: 'finalized' });
    expect(v.subscribeCount).toBe(0);
  });

  it('falls back to polling when the socket drops, and re-subscribes when it can', async () => {
    fakes = await startValidators(1);
    const v = fakes[0]!;
    const wait = connect(fakes).waitForConfirmation(HASH, { pollIntervalMs: 25, timeoutMs: 4000 });
    await until(() => v.subscriptions === 1, 3000, 'the subscription');
    v.wsEnabled = false;
    v.dropWebSockets();
    const before = v.callsOf('poa_getTransactionStatus').length;
    await until(() => v.callsOf('poa_getTransactionStatus').length >= before + 3, 3000, 'polling after the drop');
    v.wsEnabled = true;
    await until(() => v.subscriptions === 1, 3000, 'the re-subscription');
    expect(v.subscribeCount).toBe(2);
    v.wsEnabled = false;
    v.dropWebSockets();
    v.statuses.set(HASH, { state: 'finalized', hash: HASH, blockHash: BLOCK, blockNumber: 9, transactionIndex: 0 });
    await expect(wait).resolves.toMatchObject({ state: 'finalized', blockNumber: 9 });
  });

  it('keeps waiting through an unreachable validator and resolves from another', async () => {
    fakes = await startValidators(2);
    fakes[0]!.rpcFault = { status: 500 };
    fakes[1]!.statuses.set(HASH, {
      state: 'finalized',
      hash: HASH,
      blockHash: BLOCK,
      blockNumber: 2,
      transactionIndex: 0,
    });
    const s = await connect(fakes).waitForConfirmation(HASH, {
      validator: 'validator-1',
      pollIntervalMs: 20,
      timeoutMs: 4000,
    });
    expect(s.validator).toBe('validator-2');
  });

  it('throws TimeoutError naming the last status', async () => {
    fakes = await startValidators(1);
    const err = await connect(fakes)
      .waitForConfirmation(HASH, { pollIntervalMs: 20, timeoutMs: 150 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as Error).message).toMatch(/last status: accepted/);
  });

  it('throws DoubleVoteError when the vote is rejected as a double vote', async () => {
    fakes = await startValidators(1);
    const other = `0x${'cc'.repeat(32)}`;
    fakes[0]!.statuses.set(HASH, { state: 'rejected', hash: HASH, reason: 'double vote', conflictsWith: other });
    const err = await connect(fakes)
      .waitForConfirmation(HASH, { timeoutMs: 2000 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DoubleVoteError);
    expect((err as DoubleVoteError).conflictsWith).toBe(other);
  });

  it('stops with AbortError on abort, and when the client closes', async () => {
    fakes = await startValidators(1);
    const c = connect(fakes);
    const ac = new AbortController();
    const a = c.waitForConfirmation(HASH, { signal: ac.signal, timeoutMs: 10_000 });
    const b = c.waitForConfirmation(HASH, { timeoutMs: 10_000 });
    setTimeout(() => ac.abort(), 30);
    await expect(a).rejects.toBeInstanceOf(AbortError);
    c.close();
    await expect(b).rejects.toBeInstanceOf(AbortError);
  });

  it('rejects bad arguments by name', async () => {
    fakes = await startValidators(1);
    const c = connect(fakes);
    expect(() => c.waitForConfirmation('', {})).toThrow(/hash/);
    expect(() => c.waitForConfirmation(HASH, { until: 'mined' as never })).toThrow(/until/);
    expect(() => c.waitForConfirmation(HASH, { timeoutMs: 0 })).toThrow(/timeoutMs/);
    expect(() => c.waitForConfirmation(HASH, { validator: 'validator-9' })).toThrow(/validator-9/);
  });
});

describe('waitForConfirmation at scale', () => {
  it('many waits share one subscription and one batched status request per push', async () => {
    fakes = await startValidators(1);
    const v = fakes[0]!;
    const c = connect(fakes);
    const hashes = Array.from({ length: 50 }, (_, i) => `0x${i.toString(16).padStart(64, '0')}`);
    const waits = hashes.map((h) => c.waitForConfirmation(h, { pollIntervalMs: 600_000, timeoutMs: 4000 }));
    await until(
      () => v.subscriptions === 1 && v.callsOf('poa_getTransactionStatus').length >= 100,
      3000,
      'subscription and first checks',
    );
    await new Promise((r) => setTimeout(r, 20));
    expect(v.subscribeCount).toBe(1);
    const posts = v.requests.filter((r) => r === 'POST /rpc').length;
    for (const h of hashes)
      v.statuses.set(h, { state: 'finalized', hash: h, blockHash: BLOCK, blockNumber: 5, transactionIndex: 0 });
    v.push('finalizedHeads', { number: '0x5', hash: BLOCK });
    const done = await Promise.all(waits);
    expect(done.every((s) => s.state === 'finalized')).toBe(true);
    expect(v.requests.filter((r) => r === 'POST /rpc').length).toBe(posts + 1);
  });
});

const VOTE = { voterId: 'voter-9', electionId: 4, encryptedVote: '{"candidate_id":"bob"}', transactionId: 'sub-9' };
const VOTE_HASH = txHash({ from: 'voter-9', to: 'election-4', data: '{"candidate_id":"bob"}' });

/** Current validators: `unknown` for votes they never took; a vote they take is final at once (sentAt records when). */
async function finalizingValidators(n: number): Promise<{ vs: FakeValidator[]; sentAt: Map<string, number> }> {
  const vs = await startValidators(n);
  const sentAt = new Map<string, number>();
  for (const v of vs) {
    v.statusMode = 'tracking';
    const take = v.rpc.eth_sendTransaction!;
    v.rpc.eth_sendTransaction = (params, call) => {
      const hash = take(params, call) as string;
      sentAt.set(v.nodeId, Date.now());
      v.statuses.set(hash, { state: 'finalized', hash, blockHash: BLOCK, blockNumber: 8, transactionIndex: 0 });
      return hash;
    };
  }
  return { vs, sentAt };
}

/** validator-1 takes the vote (and only acknowledges: it is not final there). */
function acknowledgeOnly(v: FakeValidator): void {
  v.rpc.eth_sendTransaction = (params) => {
    const hash = txHash(params[0] as never);
    v.received.set(hash, params[0] as never);
    return hash;
  };
}

const sends = (vs: FakeValidator[]): number => vs.reduce((n, v) => n + v.callsOf('eth_sendTransaction').length, 0);

describe('waitForConfirmation never strands a vote', () => {
  it('re-sends the identical vote elsewhere when the validator that acknowledged it dies, and confirms it', async () => {
    const { vs } = await finalizingValidators(3);
    fakes = vs;
    acknowledgeOnly(vs[0]!);
    const c = connect(vs);
    const { hash, validator } = await c.submitVote(VOTE);
    expect(validator).toBe('validator-1');
    await kill(vs[0]!);
    // A bound far beyond the test: only the dead acknowledger can trigger the re-send.
    const s = await c.waitForConfirmation(hash, {
      validator,
      vote: VOTE,
      pollIntervalMs: 20,
      resendAfterMs: 600_000,
      timeoutMs: 4000,
    });
    expect(s).toMatchObject({ state: 'finalized', hash: VOTE_HASH, resends: 1 });
    expect(['validator-2', 'validator-3']).toContain(s.acknowledgedBy);
    const resent = vs.slice(1).flatMap((v) => v.callsOf('eth_sendTransaction'));
    expect(resent).toHaveLength(1);
    expect(resent[0]!.id).toBe('sub-9');
    expect(txHash(resent[0]!.params[0] as never)).toBe(VOTE_HASH);
  });

  it('control: without the vote the same wait strands it (never re-sent, times out)', async () => {
    const { vs } = await finalizingValidators(3);
    fakes = vs;
    acknowledgeOnly(vs[0]!);
    const c = connect(vs);
    const { hash, validator } = await c.submitVote(VOTE);
    await kill(vs[0]!);
    const err = await c
      .waitForConfirmation(hash, { validator, pollIntervalMs: 20, resendAfterMs: 50, timeoutMs: 500 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as Error).message).toMatch(/last status: unknown/);
    expect(sends(vs.slice(1))).toBe(0);
  });

  it('re-sends once the validators have reported it unknown for resendAfterMs, not before', async () => {
    const { vs, sentAt } = await finalizingValidators(3);
    fakes = vs;
    const c = connect(vs);
    // The acknowledger is up but lost the vote: every validator answers unknown.
    const t0 = Date.now();
    const s = await c.waitForConfirmation(VOTE_HASH, {
      validator: 'validator-1',
      vote: VOTE,
      pollIntervalMs: 20,
      resendAfterMs: 300,
      timeoutMs: 4000,
    });
    expect(s).toMatchObject({ state: 'finalized', resends: 1, acknowledgedBy: 'validator-1' });
    expect(sends(vs)).toBe(1);
    expect(sentAt.get('validator-1')! - t0).toBeGreaterThanOrEqual(290);
  });

  it('re-sends on the bound even when no poll or push would come (pollIntervalMs beyond the bound)', async () => {
    const { vs } = await finalizingValidators(1);
    fakes = vs;
    vs[0]!.wsEnabled = false;
    const s = await connect(vs).waitForConfirmation(VOTE, {
      pollIntervalMs: 60_000,
      resendAfterMs: 100,
      timeoutMs: 3000,
    });
    expect(s).toMatchObject({ state: 'finalized', resends: 1 });
  });

  it('control: with maxResends 0 a vote reported unknown is never re-sent', async () => {
    const { vs } = await finalizingValidators(3);
    fakes = vs;
    const err = await connect(vs)
      .waitForConfirmation(VOTE_HASH, {
        vote: VOTE,
        pollIntervalMs: 20,
        resendAfterMs: 50,
        maxResends: 0,
        timeoutMs: 400,
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(sends(vs)).toBe(0);
  });

  it('does not re-send while another validator holds it (replicated), even with the acknowledger dead', async () => {
    const { vs } = await finalizingValidators(3);
    fakes = vs;
    acknowledgeOnly(vs[0]!);
    const c = connect(vs);
    const { hash, validator } = await c.submitVote(VOTE);
    for (const v of vs.slice(1)) v.statuses.set(hash, { state: 'replicated', hash });
    await kill(vs[0]!);
    const wait = c.waitForConfirmation(hash, {
      validator,
      vote: VOTE,
      pollIntervalMs: 20,
      resendAfterMs: 100,
      timeoutMs: 4000,
    });
    await new Promise((r) => setTimeout(r, 300));
    for (const v of vs.slice(1))
      v.statuses.set(hash, { state: 'finalized', hash, blockHash: BLOCK, blockNumber: 8, transactionIndex: 0 });
    await expect(wait).resolves.toMatchObject({ state: 'finalized', resends: 0 });
    expect(sends(vs.slice(1))).toBe(0);
  });

  it('re-sends at most maxResends times, then times out saying so', async () => {
    fakes = await startValidators(2);
    // Validators that answer the hash but never remember the vote.
    for (const v of fakes) {
      v.statusMode = 'tracking';
      v.rpc.eth_sendTransaction = (params) => txHash(params[0] as never);
    }
    const err = await connect(fakes)
      .waitForConfirmation(VOTE_HASH, {
        vote: VOTE,
        pollIntervalMs: 10,
        resendAfterMs: 30,
        maxResends: 2,
        timeoutMs: 600,
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as Error).message).toMatch(/re-sent 2 of at most 2 times/);
    expect(sends(fakes)).toBe(2);
  });

  it('stops with DoubleVoteError when the re-send meets another vote of the voter', async () => {
    const { vs } = await finalizingValidators(2);
    fakes = vs;
    const other = `0x${'cc'.repeat(32)}`;
    for (const v of vs)
      v.rpc.eth_sendTransaction = () => {
        throw new RpcFailure(-32010, 'already voted', { code: 'TX_DOUBLE_VOTE', conflictsWith: other });
      };
    const err = await connect(vs)
      .waitForConfirmation(VOTE_HASH, { vote: VOTE, pollIntervalMs: 20, resendAfterMs: 30, timeoutMs: 3000 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DoubleVoteError);
    expect(sends(vs)).toBe(1);
  });

  it('rejects a vote that is not the one waited on, and bad re-send options, by name', async () => {
    fakes = await startValidators(1);
    const c = connect(fakes);
    expect(() => c.waitForConfirmation(HASH, { vote: VOTE })).toThrow(InvalidArgumentError);
    expect(() => c.waitForConfirmation(HASH, { vote: VOTE })).toThrow(/vote/);
    expect(() => c.waitForConfirmation(VOTE, { vote: VOTE })).toThrow(/not both/);
    expect(() => c.waitForConfirmation(VOTE_HASH, { vote: VOTE, maxResends: -1 })).toThrow(/maxResends/);
    expect(() => c.waitForConfirmation(VOTE_HASH, { vote: VOTE, resendAfterMs: 0 })).toThrow(/resendAfterMs/);
  });
});
