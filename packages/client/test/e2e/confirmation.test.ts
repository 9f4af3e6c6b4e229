/**
 * Confirmation against real processes: pushed over the WebSocket while it is up, polled when
 * the socket is refused, cut in the middle of a wait, or its validator is killed. Validator 1 is
 * reached through a proxy that can refuse and cut WebSockets; polling intervals are chosen so
 * that each outcome can only have come from the path under test.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TestNetwork, ValidatorProxy, getJson, rpc, sleep, waitFor } from '@poa-vote/test-utils';
import {
  TimeoutError,
  type VoteInput,
  type VotingClient,
  createVotingClient,
  voteTransaction,
} from '../../src/index.js';
import { ballot, validatorsOf } from './helpers/network.js';

const SLOT_MS = 400;

describe('confirmation by push, and by polling when the socket is gone', () => {
  let net: TestNetwork;
  let proxy: ValidatorProxy;
  let client: VotingClient;
  /** poa_getTransactionStatus calls the client made, by validator URL. */
  const statusCalls = new Map<string, number>();
  const fetchFn: typeof fetch = (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (typeof init?.body === 'string' && init.body.includes('"poa_getTransactionStatus"')) {
      const origin = new URL(url).origin;
      statusCalls.set(
        origin,
        (statusCalls.get(origin) ?? 0) + init.body.split('"poa_getTransactionStatus"').length - 1,
      );
    }
    return fetch(input, init);
  };
  const callsTo = (url: string): number => statusCalls.get(new URL(url).origin) ?? 0;
  let seq = 0;
  const newVote = (): { input: VoteInput; hash: string } => {
    const input: VoteInput = { voterId: `conf-${seq++}`, electionId: 1, encryptedVote: ballot('alice') };
    return { input, hash: voteTransaction(input).hash };
  };

  beforeAll(async () => {
    net = await TestNetwork.create({ slotMs: SLOT_MS });
    await net.start();
    await net.waitHealthy();
    proxy = await ValidatorProxy.start(net.validators[0]!.rpcPort);
    client = createVotingClient({
      validators: validatorsOf(net, (i) => (i === 0 ? proxy.url : undefined)),
      genesis: net.genesis,
      healthCheckIntervalMs: 500,
      requestTimeoutMs: 2000,
      webSocket: { reconnect: { baseDelayMs: 100, maxDelayMs: 500 } },
      fetchFn,
    });
  }, 60_000);

  afterAll(async () => {
    client?.close();
    await proxy?.close();
    await net?.stop();
  }, 30_000);

  it('is pushed over the WebSocket: with polling every 60 s, a 30 s wait still sees the vote finalized', async () => {
    const v2 = net.validators[1]!;
    const ws = client.webSockets.get(v2.id, v2.url);
    const { input, hash } = newVote();
    const before = callsTo(v2.url);
    // Waiting before the vote exists: every check after the first ones can only follow a pushed head.
    const waiting = client.waitForConfirmation(hash, { validator: v2.id, pollIntervalMs: 60_000, timeoutMs: 30_000 });
    await waitFor(() => ws.state === 'open', 10_000, 'WebSocket to validator-2 open');
    await sleep(200);
    await client.submitVote(input);
    const status = await waiting;
    expect(status.state).toBe('finalized');
    expect(status.hash).toBe(hash);
    expect(status.validator).toBe(v2.id);
    expect(status.blockNumber).toBeGreaterThan(0);
    // The wait checks on its own only at its start and once subscribed; every other check followed a pushed head.
    expect(callsTo(v2.url) - before).toBeGreaterThanOrEqual(3);
    const receipt = (await rpc(v2.url, 'eth_getTransactionReceipt', [hash])).result as { blockNumber: string };
    expect(Number(receipt.blockNumber)).toBe(status.blockNumber);
  }, 60_000);

  it('without a WebSocket (the proxy refuses it) nothing is pushed: only polling confirms', async () => {
    proxy.refuseWebSockets = true;
    const refusedBefore = proxy.counts.wsRefused;
    // Polling every 60 s and no socket: the vote is finalized but the wait cannot learn it.
    const first = newVote();
    const blind = client.waitForConfirmation(first.hash, {
      validator: 'validator-1',
      pollIntervalMs: 60_000,
      timeoutMs: 6000,
    });
    await client.submitVote(first.input);
    await expect(blind).rejects.toBeInstanceOf(TimeoutError);
    const { status: known, body } = await getJson(`${net.validators[0]!.url}/transactions/${first.hash}`);
    expect(known).toBe(200);
    expect(body.state.state).toBe('finalized');

    // Polling every 300 ms: confirmed through the proxy, without any socket.
    const second = newVote();
    const polledBefore = proxy.counts.statusCalls;
    const waiting = client.waitForConfirmation(second.hash, {
      validator: 'validator-1',
      pollIntervalMs: 300,
      timeoutMs: 30_000,
    });
    await client.submitVote(second.input);
    const status = await waiting;
    expect(status.state).toBe('finalized');
    expect(status.validator).toBe('validator-1');
    expect(proxy.counts.statusCalls - polledBefore).toBeGreaterThanOrEqual(2);
    expect(proxy.counts.wsRefused).toBeGreaterThan(refusedBefore);
    expect(proxy.counts.wsAccepted).toBe(0);
  }, 60_000);

  it('falls back to polling when the socket is cut in the middle of a wait', async () => {
    proxy.refuseWebSockets = false;
    const ws = client.webSockets.get('validator-1', proxy.url);
    const { input, hash } = newVote();
    const waiting = client.waitForConfirmation(hash, {
      validator: 'validator-1',
      pollIntervalMs: 300,
      timeoutMs: 30_000,
    });
    await waitFor(() => ws.state === 'open' && proxy.openWebSockets === 1, 10_000, 'WebSocket through the proxy open');
    await sleep(200);
    // Cut it and refuse reconnections: from here on nothing can be pushed.
    proxy.refuseWebSockets = true;
    proxy.cutWebSockets();
    const polledBefore = proxy.counts.statusCalls;
    await client.submitVote(input);
    const status = await waiting;
    expect(status.state).toBe('finalized');
    expect(status.hash).toBe(hash);
    expect(proxy.counts.wsCut).toBe(1);
    expect(proxy.counts.statusCalls - polledBefore).toBeGreaterThanOrEqual(1);
    expect(ws.state).not.toBe('open');
  }, 60_000);

  it('falls back to polling another validator when the validator the socket is on is killed', async () => {
    const v3 = net.validators[2]!;
    const ws = client.webSockets.get(v3.id, v3.url);
    const { input, hash } = newVote();
    const waiting = client.waitForConfirmation(hash, { validator: v3.id, pollIntervalMs: 300, timeoutMs: 30_000 });
    await waitFor(() => ws.state === 'open', 10_000, 'WebSocket to validator-3 open');
    await sleep(200);
    await net.kill(2);
    const accepted = await client.submitVote(input);
    expect(accepted.validator).not.toBe(v3.id);
    const status = await waiting;
    expect(status.state).toBe('finalized');
    expect(status.hash).toBe(hash);
    expect(status.validator).not.toBe(v3.id);
    expect(ws.state).not.toBe('open');
  }, 60_000);
});
