import { afterEach, describe, expect, it } from '@jest/globals';
import {
  InvalidArgumentError,
  ValidatorPool,
  createVotingClient,
  defaultValidators,
  type ValidatorStatus,
  type VotingClient,
} from '@poa-vote/client';
import { FakeValidator, startValidators, until } from '../helpers/fakeValidator.js';

let fakes: FakeValidator[] = [];
let pool: ValidatorPool | undefined;
let client: VotingClient | undefined;

afterEach(async () => {
  pool?.close();
  client?.close();
  pool = undefined;
  client = undefined;
  await Promise.all(fakes.map((f) => f.close()));
  fakes = [];
});

function nextEvent(p: ValidatorPool, nodeId: string, healthy: boolean): Promise<ValidatorStatus> {
  return new Promise((resolve) => {
    const on = (s: ValidatorStatus): void => {
      if (s.nodeId === nodeId && s.healthy === healthy) {
        p.off('status', on);
        resolve(s);
      }
    };
    p.on('status', on);
  });
}

describe('ValidatorPool', () => {
  it('defaults to validator-1..3 on localhost:8001-8003', () => {
    expect(defaultValidators).toEqual([
      { nodeId: 'validator-1', rpcUrl: 'http://localhost:8001' },
      { nodeId: 'validator-2', rpcUrl: 'http://localhost:8002' },
      { nodeId: 'validator-3', rpcUrl: 'http://localhost:8003' },
    ]);
    pool = new ValidatorPool({ autoStart: false });
    expect(pool.validators.map((v) => v.nodeId)).toEqual(['validator-1', 'validator-2', 'validator-3']);
    expect(pool.options.healthCheckIntervalMs).toBe(2000);
  });

  it('rejects bad options with an error naming the field', () => {
    expect(() => new ValidatorPool({ validators: [] })).toThrow(InvalidArgumentError);
    expect(() => new ValidatorPool({ validators: [{ nodeId: 'a', rpcUrl: 'not a url' }] })).toThrow(
      /validators\[0\]\.rpcUrl/,
    );
    expect(() => new ValidatorPool({ validators: [{ nodeId: 'a', rpcUrl: 'ftp://x' }] })).toThrow(
      /http:\/\/ or https:\/\//,
    );
    expect(
      () =>
        new ValidatorPool({
          validators: [
            { nodeId: 'a', rpcUrl: 'http://x' },
            { nodeId: 'a', rpcUrl: 'http://y' },
          ],
        }),
    ).toThrow(/listed twice/);
    expect(() => new ValidatorPool({ strategy: 'random' as never })).toThrow(/strategy/);
    expect(() => new ValidatorPool({ healthCheckIntervalMs: -1 })).toThrow(/healthCheckIntervalMs/);
  });

  it('round robin rotates over every healthy validator, and skips an unhealthy one', async () => {
    fakes = await startValidators(3);
    client = createVotingClient({ validators: fakes.map((f) => f.config), healthCheckIntervalMs: 0 });
    const order: string[] = [];
    for (let i = 0; i < 6; i++)
      order.push((await client.submitVote({ voterId: `voter-${i}`, electionId: 1, encryptedVote: 'x' })).validator);
    expect(order).toEqual(['validator-1', 'validator-2', 'validator-3', 'validator-1', 'validator-2', 'validator-3']);

    fakes[1]!.healthy = false;
    await client.pool.checkHealth();
    expect(client.pool.status('validator-2')!.healthy).toBe(false);
    const after: string[] = [];
    for (let i = 0; i < 4; i++)
      after.push((await client.submitVote({ voterId: `voter-x${i}`, electionId: 1, encryptedVote: 'x' })).validator);
    expect(after).toEqual(['validator-1', 'validator-3', 'validator-1', 'validator-3']);
    expect(fakes[1]!.callsOf('eth_sendTransaction')).toHaveLength(2);
  });

  it('the monitor takes a 503 validator out and lets it back in once it recovers', async () => {
    fakes = await startValidators(2);
    fakes[0]!.healthy = false;
    pool = new ValidatorPool({ validators: fakes.map((f) => f.config), healthCheckIntervalMs: 20 });
    const down = await nextEvent(pool, 'validator-1', false);
    expect(down.reasons).toEqual(['told to be unhealthy']);
    expect(pool.select()!.nodeId).toBe('validator-2');
    expect(pool.select()!.nodeId).toBe('validator-2');

    const up = nextEvent(pool, 'validator-1', true);
    fakes[0]!.healthy = true;
    const s = await up;
    expect(s.healthy).toBe(true);
    expect(s.reasons).toEqual([]);
    expect(s.lastCheckedAt).toEqual(expect.any(Number));
    expect(new Set([pool.select()!.nodeId, pool.select()!.nodeId])).toEqual(new Set(['validator-1', 'validator-2']));
  });

  it('a validator that failed a request comes back after the monitor probes it', async () => {
    fakes = await startValidators(2);
    client = createVotingClient({
      validators: fakes.map((f) => f.config),
      healthCheckIntervalMs: 30,
      retry: { baseDelayMs: 1, maxDelayMs: 2 },
    });
    fakes[0]!.rpcFault = { status: 500 };
    const r = await client.submitVote({ voterId: 'v1', electionId: 1, encryptedVote: 'x' });
    expect(r.validator).toBe('validator-2');
    expect(client.pool.status('validator-1')!.healthy).toBe(false);
    expect(client.pool.status('validator-1')!.lastError).toMatch(/500/);
    fakes[0]!.rpcFault = undefined;
    await nextEvent(client.pool, 'validator-1', true);
    const used = new Set<string>();
    for (let i = 0; i < 2; i++)
      used.add((await client.submitVote({ voterId: `w${i}`, electionId: 1, encryptedVote: 'x' })).validator);
    expect(used).toEqual(new Set(['validator-1', 'validator-2']));
  });

  it('marks a hanging validator unhealthy after its probe times out', async () => {
    fakes = await startValidators(2);
    fakes[1]!.healthFault = 'hang';
    pool = new ValidatorPool({
      validators: fakes.map((f) => f.config),
      healthCheckIntervalMs: 0,
      healthTimeoutMs: 100,
      autoStart: false,
    });
    const statuses = await pool.checkHealth();
    expect(statuses[0]!.healthy).toBe(true);
    expect(statuses[1]!.healthy).toBe(false);
    expect(statuses[1]!.reasons[0]).toMatch(/timed out/);
  });

  it('counts a validator whose finalized height stopped while others advance as unhealthy', async () => {
    fakes = await startValidators(3);
    let now = 1_000_000;
    pool = new ValidatorPool({
      validators: fakes.map((f) => f.config),
      healthCheckIntervalMs: 0,
      stallTimeoutMs: 5000,
      autoStart: false,
      now: () => now,
    });
    for (let h = 1; h <= 4; h++) {
      fakes[0]!.finalizedHeight = h;
      fakes[1]!.finalizedHeight = h;
      fakes[2]!.finalizedHeight = 1;
      await pool.checkHealth();
      now += 2000;
    }
    const stuck = pool.status('validator-3')!;
    expect(stuck.healthy).toBe(false);
    expect(stuck.reasons[0]).toMatch(/finalized height stuck at 1/);
    expect(pool.status('validator-1')!.healthy).toBe(true);
    // It catches up: healthy again.
    fakes[2]!.finalizedHeight = 4;
    await pool.checkHealth();
    expect(pool.status('validator-3')!.healthy).toBe(true);
  });

  it('does not call a validator stalled when the whole chain is idle', async () => {
    fakes = await startValidators(2, { finalizedHeight: 5 });
    let now = 0;
    pool = new ValidatorPool({
      validators: fakes.map((f) => f.config),
      healthCheckIntervalMs: 0,
      stallTimeoutMs: 1000,
      autoStart: false,
      now: () => now,
    });
    for (let i = 0; i < 4; i++) {
      await pool.checkHealth();
      now += 1000;
    }
    expect(pool.healthyCount).toBe(2);
  });

  it('counts a validator of another chain as unhealthy', async () => {
    fakes = await startValidators(2);
    fakes[1]!.chainId = 99;
    pool = new ValidatorPool({
      validators: fakes.map((f) => f.config),
      healthCheckIntervalMs: 0,
      expectedChainId: 1337,
      autoStart: false,
    });
    await pool.checkHealth();
    expect(pool.status('validator-2')!.reasons).toEqual(['serves chain 99, expected 1337']);
  });

  it('latency strategy prefers the best-ranked validator', async () => {
    fakes = await startValidators(3);
    pool = new ValidatorPool({
      validators: fakes.map((f) => f.config),
      strategy: 'latency',
      healthCheckIntervalMs: 0,
      autoStart: false,
    });
    pool.reportSuccess('validator-1', 200);
    pool.reportSuccess('validator-2', 5);
    pool.reportSuccess('validator-3', 80);
    expect([pool.select()!.nodeId, pool.select()!.nodeId]).toEqual(['validator-2', 'validator-2']);
    // An unstable fast validator loses to a stable slower one.
    pool.reportFailure('validator-2', new Error('boom'));
    expect(pool.select()!.nodeId).toBe('validator-3');
  });

  it('close() stops the monitor: no probe after it, and nothing keeps jest alive', async () => {
    fakes = await startValidators(1);
    pool = new ValidatorPool({ validators: fakes.map((f) => f.config), healthCheckIntervalMs: 10 });
    await until(() => fakes[0]!.requests.filter((r) => r === 'GET /health').length >= 2, 5000, 'two probes');
    pool.close();
    const probes = fakes[0]!.requests.length;
    await new Promise((r) => setTimeout(r, 80));
    expect(fakes[0]!.requests.length).toBeLessThanOrEqual(probes + 1);
    const settled = fakes[0]!.requests.length;
    await new Promise((r) => setTimeout(r, 80));
    expect(fakes[0]!.requests.length).toBe(settled);
    expect(pool.closed).toBe(true);
    await expect(pool.checkHealth()).rejects.toThrow(/aborted/);
  });
});
