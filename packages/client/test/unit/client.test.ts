import { afterEach, describe, expect, it } from '@jest/globals';
import { AbortError, InvalidArgumentError, createVotingClient, type VotingClient } from '@poa-vote/client';
import { makeChain } from './helpers/chain.js';
import { FakeValidator, startValidators, until } from './helpers/fakeValidator.js';

let fakes: FakeValidator[] = [];
let client: VotingClient | undefined;

afterEach(async () => {
  client?.close();
  client = undefined;
  await Promise.all(fakes.map((f) => f.close()));
  fakes = [];
});

describe('createVotingClient', () => {
  it('validates options once, naming the bad field', () => {
    expect(() => createVotingClient({ retry: { attempts: 0 } })).toThrow(/retry\.attempts/);
    expect(() => createVotingClient({ retry: { baseDelayMs: 10, maxDelayMs: 5 } })).toThrow(/retry\.maxDelayMs/);
    expect(() => createVotingClient({ genesis: { chainId: 1 } })).toThrow(/genesis/);
    expect(() => createVotingClient({ requestTimeoutMs: 0 })).toThrow(InvalidArgumentError);
    expect(() => createVotingClient(null as never)).toThrow(/options/);
  });

  it('binds every action and exposes the pool and genesis', async () => {
    const { genesis } = makeChain([]);
    client = createVotingClient({ genesis, autoStart: false });
    expect(client.genesis).toEqual(genesis);
    expect(client.pool.options.expectedChainId).toBe(1337);
    for (const name of [
      'submitVote',
      'submitVotes',
      'getReceipt',
      'getTransactionStatus',
      'waitForConfirmation',
      'getResults',
      'getBlockchain',
      'getHealth',
      'getBlock',
      'verifyBlockchainIntegrity',
      'tallyElection',
      'compareWithResults',
      'close',
    ] as const) {
      expect(typeof client[name]).toBe('function');
    }
  });

  it('close() stops the monitor, aborts requests in flight and closes sockets', async () => {
    fakes = await startValidators(2);
    const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const baseline = timers();
    fakes[0]!.rpcFault = 'hang';
    client = createVotingClient({
      validators: fakes.map((f) => f.config),
      healthCheckIntervalMs: 10,
      requestTimeoutMs: 60_000,
    });
    await until(() => fakes[1]!.requests.filter((r) => r === 'GET /health').length >= 2, 5000, 'probes');
    const inFlight = client.submitVote({ voterId: 'v', electionId: 1, encryptedVote: 'x' });
    const waiting = client.waitForConfirmation(`0x${'aa'.repeat(32)}`, { validator: 'validator-2' });
    await until(() => fakes[1]!.subscriptions === 1, 3000, 'the subscription');
    expect(timers()).toBeGreaterThan(baseline);
    client.close();
    await expect(inFlight).rejects.toBeInstanceOf(AbortError);
    await expect(waiting).rejects.toBeInstanceOf(AbortError);
    await until(() => fakes[1]!.subscriptions === 0, 3000, 'the socket to close');
    const seen = fakes[1]!.requests.length;
    await new Promise((r) => setTimeout(r, 60));
    expect(fakes[1]!.requests.length).toBe(seen);
    // Every timer the client started is gone (unref'd background timers included: the monitor stopped).
    expect(timers()).toBeLessThanOrEqual(baseline);
    client.close();
  });
});
