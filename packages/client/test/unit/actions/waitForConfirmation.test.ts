import { afterEach, describe, expect, it } from '@jest/globals';
import { AbortError, DoubleVoteError, TimeoutError, createVotingClient, type VotingClient } from '@poa-vote/client';
import { FakeValidator, startValidators, until } from '../helpers/fakeValidator.js';

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

afterEach(async () => {
  client?.close();
  client = undefined;
  await Promise.all(fakes.map((f) => f.close()));
  fakes = [];
});

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
    expect(s).toMatchObject({ state: 'finalized', hash: HASH, blockHash: BLOCK, blockNumber: 12, validator: 'validator-1' });
    expect(v.callsOf('poa_getTransactionStatus').length).toBe(checks + 1);
    await until(() => v.subscriptions === 0, 3000, 'the unsubscribe');
  });

  it('with until: "included" subscribes to newHeads and resolves on inclusion', async () => {
    fakes = await startValidators(1);
    const v = fakes[0]!;
    const wait = connect(fakes).waitForConfirmation(HASH, { until: 'included', pollIntervalMs: 600_000, timeoutMs: 4000 });
    await until(() => v.subscriptions === 1, 3000, 'the subscription');
    v.statuses.set(HASH, { state: 'included', hash: HASH, blockHash: BLOCK, blockNumber: 3 });
    v.push('newHeads', { number: '0x3', hash: BLOCK });
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
    fakes[1]!.statuses.set(HASH, { state: 'finalized', hash: HASH, blockHash: BLOCK, blockNumber: 2, transactionIndex: 0 });
    const s = await connect(fakes).waitForConfirmation(HASH, { validator: 'validator-1', pollIntervalMs: 20, timeoutMs: 4000 });
    expect(s.validator).toBe('validator-2');
  });

  it('throws TimeoutError naming the last status', async () => {
    fakes = await startValidators(1);
    const err = await connect(fakes).waitForConfirmation(HASH, { pollIntervalMs: 20, timeoutMs: 150 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as Error).message).toMatch(/last status: pending/);
  });

  it('throws DoubleVoteError when the vote is rejected as a double vote', async () => {
    fakes = await startValidators(1);
    const other = `0x${'cc'.repeat(32)}`;
    fakes[0]!.statuses.set(HASH, { state: 'rejected', hash: HASH, reason: 'double vote', conflictsWith: other });
    const err = await connect(fakes).waitForConfirmation(HASH, { timeoutMs: 2000 }).catch((e: unknown) => e);
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
    await until(() => v.subscriptions === 1 && v.callsOf('poa_getTransactionStatus').length >= 100, 3000, 'subscription and first checks');
    await new Promise((r) => setTimeout(r, 20));
    expect(v.subscribeCount).toBe(1);
    const posts = v.requests.filter((r) => r === 'POST /rpc').length;
    for (const h of hashes) v.statuses.set(h, { state: 'finalized', hash: h, blockHash: BLOCK, blockNumber: 5, transactionIndex: 0 });
    v.push('finalizedHeads', { number: '0x5', hash: BLOCK });
    const done = await Promise.all(waits);
    expect(done.every((s) => s.state === 'finalized')).toBe(true);
    expect(v.requests.filter((r) => r === 'POST /rpc').length).toBe(posts + 1);
  });
});
