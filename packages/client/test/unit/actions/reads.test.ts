import { afterEach, describe, expect, it } from '@jest/globals';
import { createVotingClient, type VotingClient } from '@poa-vote/client';
import { FakeValidator, startValidators } from '../helpers/fakeValidator.js';

const HASH = `0x${'aa'.repeat(32)}`;
const BLOCK = `0x${'bb'.repeat(32)}`;

let fakes: FakeValidator[] = [];
let client: VotingClient | undefined;

function connect(vs: FakeValidator[]): VotingClient {
  client = createVotingClient({
    validators: vs.map((v) => v.config),
    healthCheckIntervalMs: 0,
    requestTimeoutMs: 300,
    retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
  });
  return client;
}

afterEach(async () => {
  client?.close();
  client = undefined;
  await Promise.all(fakes.map((f) => f.close()));
  fakes = [];
});

describe('getReceipt', () => {
  it('returns null while unknown and a normalized receipt once finalized', async () => {
    fakes = await startValidators(1);
    const c = connect(fakes);
    expect(await c.getReceipt(HASH)).toBeNull();
    fakes[0]!.rpc.eth_getTransactionReceipt = () => ({
      transactionHash: HASH,
      transactionIndex: '0x2',
      blockHash: BLOCK,
      blockNumber: '0x1a',
      from: 'voter-1',
      to: 'election-7',
      gasUsed: '0x5208',
      status: '0x1',
    });
    expect(await c.getReceipt('sub-1')).toEqual({
      transactionHash: HASH,
      transactionIndex: 2,
      blockHash: BLOCK,
      blockNumber: 26,
      from: 'voter-1',
      to: 'election-7',
      gasUsed: '0x5208',
      status: 'success',
    });
    expect(fakes[0]!.callsOf('eth_getTransactionReceipt')[1]!.params).toEqual(['sub-1']);
  });

  it('asks the preferred validator first', async () => {
    fakes = await startValidators(3);
    await connect(fakes).getReceipt('sub-9', { validator: 'validator-3' });
    expect(fakes[2]!.callsOf('eth_getTransactionReceipt')).toHaveLength(1);
    expect(fakes[0]!.calls).toHaveLength(0);
  });

  it('fails over a malformed receipt', async () => {
    fakes = await startValidators(2);
    fakes[0]!.rpc.eth_getTransactionReceipt = () => ({ transactionHash: HASH });
    fakes[1]!.rpc.eth_getTransactionReceipt = () => ({
      transactionHash: HASH,
      blockHash: BLOCK,
      blockNumber: '0x1',
      status: '0x1',
    });
    expect((await connect(fakes).getReceipt(HASH))!.blockNumber).toBe(1);
  });
});

describe('getTransactionStatus', () => {
  it('normalizes each state and says which validator answered', async () => {
    fakes = await startValidators(1);
    const c = connect(fakes);
    // An older validator's "pending" reads as "accepted".
    expect(await c.getTransactionStatus(HASH)).toEqual({ state: 'accepted', hash: HASH, validator: 'validator-1' });
    fakes[0]!.statuses.set(HASH, { state: 'accepted', hash: HASH });
    expect(await c.getTransactionStatus(HASH)).toMatchObject({ state: 'accepted' });
    fakes[0]!.statuses.set(HASH, { state: 'replicated', hash: HASH });
    expect(await c.getTransactionStatus(HASH)).toMatchObject({ state: 'replicated' });
    fakes[0]!.statuses.set(HASH, { state: 'mined', hash: HASH });
    await expect(c.getTransactionStatus(HASH)).rejects.toThrow(
      /accepted, replicated, included, finalized, rejected, unknown/,
    );
    fakes[0]!.statuses.set('sub-x', { state: 'unknown', hash: null, submissionId: 'sub-x' });
    expect(await c.getTransactionStatus('sub-x')).toEqual({ state: 'unknown', hash: null, validator: 'validator-1' });
    fakes[0]!.statuses.set(HASH, {
      state: 'finalized',
      hash: HASH,
      blockHash: BLOCK,
      blockNumber: 4,
      transactionIndex: 1,
    });
    expect(await c.getTransactionStatus(HASH)).toMatchObject({
      state: 'finalized',
      blockNumber: 4,
      transactionIndex: 1,
    });
  });
});

describe('getElection', () => {
  it('reads an election through the shared contract, naming a field that breaks it', async () => {
    fakes = await startValidators(1, { finalizedHeight: 5 });
    fakes[0]!.voteCount = 3;
    const c = connect(fakes);
    expect(await c.getElection(7)).toEqual({
      electionId: '7',
      voteCount: 3,
      finalizedHeight: 5,
      validator: 'validator-1',
    });
    fakes[0]!.rpc.poa_getElection = () => ({ electionId: '7', voteCount: -1, finalizedHeight: 5 });
    await expect(c.getElection(7)).rejects.toThrow(/election\.voteCount/);
  });
});

describe('getHealth', () => {
  it('reports every validator, including one that does not answer', async () => {
    fakes = await startValidators(2, { finalizedHeight: 4 });
    fakes[1]!.healthy = false;
    const dead = await FakeValidator.start('validator-3');
    await dead.close();
    client = createVotingClient({
      validators: [...fakes.map((f) => f.config), dead.config],
      healthCheckIntervalMs: 0,
      requestTimeoutMs: 300,
    });
    const h = await client.getHealth();
    expect(h.map((x) => [x.nodeId, x.report?.healthy])).toEqual([
      ['validator-1', true],
      ['validator-2', false],
      ['validator-3', undefined],
    ]);
    expect(h[0]!.report).toMatchObject({
      nodeId: 'validator-1',
      chainId: 1337,
      finalizedHeight: 4,
      peers: 2,
      lastBlockAgeMs: 10,
    });
    expect(h[1]!.report!.reasons).toEqual(['told to be unhealthy']);
    expect(h[2]!.error!.name).toBe('HttpRequestError');
    expect(await client.getHealth({ validator: 'validator-2' })).toHaveLength(1);
  });
});

describe('getBlock', () => {
  it('returns null for a missing block', async () => {
    fakes = await startValidators(1);
    expect(await connect(fakes).getBlock(5)).toBeNull();
    await expect(client!.getBlock(-1)).rejects.toThrow(/height/);
  });
});
