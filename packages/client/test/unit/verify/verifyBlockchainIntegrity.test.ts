import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { FinalizedBlock, Hex } from '@poa-vote/shared';
import { InvalidArgumentError, NoHealthyValidatorError, createVotingClient, type VotingClient } from '@poa-vote/client';
import { clone, makeChain, vote, type TestChain } from '../helpers/chain.js';
import { FakeValidator, startValidators } from '../helpers/fakeValidator.js';

let chain: TestChain;
let fakes: FakeValidator[] = [];
let client: VotingClient | undefined;

beforeAll(() => {
  chain = makeChain([
    [vote('v1', '7', 'alice')],
    [vote('v2', '7', 'bob'), vote('v3', '8', 'carol')],
    [],
    [vote('v4', '7', 'alice')],
    [vote('v5', '7', 'alice')],
  ]);
});

afterEach(async () => {
  client?.close();
  client = undefined;
  await Promise.all(fakes.map((f) => f.close()));
  fakes = [];
});

async function serve(blocks: FinalizedBlock[], n = 1): Promise<VotingClient> {
  fakes = await startValidators(n, { blocks, finalizedHeight: blocks.length });
  client = createVotingClient({
    validators: fakes.map((f) => f.config),
    genesis: chain.genesis,
    healthCheckIntervalMs: 0,
    retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 },
  });
  return client;
}

function flip(h: string): Hex {
  return `${h.slice(0, -1)}${h.endsWith('0') ? '1' : '0'}` as Hex;
}

describe('verifyBlockchainIntegrity', () => {
  it('verifies an intact chain up to the finalized height', async () => {
    const c = await serve(chain.blocks);
    const r = await c.verifyBlockchainIntegrity();
    expect(r).toEqual({
      valid: true,
      checkedBlocks: 5,
      height: 5,
      headHash: chain.blocks[4]!.block.hash,
      errors: [],
      validators: ['validator-1'],
    });
  });

  it('never trusts the validator: chain_valid is not consulted', async () => {
    const blocks = clone(chain.blocks);
    blocks[1]!.block.transactions[0]!.data = '{"candidate_id":"mallory"}';
    const c = await serve(blocks);
    fakes[0]!.blockchain = {
      chain_id: 1337,
      height: 5,
      finalized_height: 5,
      verification: { chain_valid: true, checked_blocks: 5, errors: [] },
    };
    const r = await c.verifyBlockchainIntegrity();
    expect(r.valid).toBe(false);
    expect(r.height).toBe(1);
    expect(r.checkedBlocks).toBe(1);
    expect(r.errors[0]).toMatch(/^block 2 \(from validator-1\): BLOCK_BAD_TX_ROOT/);
    expect(fakes[0]!.requests).not.toContain('GET /blockchain');
  });

  it('catches a tampered header, a forged certificate and a certificate below quorum', async () => {
    const cases: [string, (b: FinalizedBlock[]) => void, RegExp][] = [
      [
        'header',
        (b) => (b[2]!.block.header.parentHash = flip(b[2]!.block.header.parentHash)),
        /block 3 .*BLOCK_BAD_HASH/,
      ],
      [
        'signature',
        (b) => (b[2]!.certificate.signatures[1]!.signature = flip(b[2]!.certificate.signatures[1]!.signature)),
        /block 3 .*VOTE_BAD_SIGNATURE/,
      ],
      ['quorum', (b) => b[2]!.certificate.signatures.splice(1, 1), /block 3 .*CERT_NO_QUORUM/],
      ['other block', (b) => (b[2]!.certificate = clone(b[3]!.certificate)), /block 3 .*CERT_INVALID/],
    ];
    for (const [, tamper, expected] of cases) {
      const blocks = clone(chain.blocks);
      tamper(blocks);
      const c = await serve(blocks);
      const r = await c.verifyBlockchainIntegrity();
      expect(r.valid).toBe(false);
      expect(r.height).toBe(2);
      expect(r.errors.join('\n')).toMatch(expected);
      client!.close();
      await fakes[0]!.close();
      fakes = [];
    }
  });

  it('catches a chain of another genesis', async () => {
    const other = makeChain([[]]);
    const c = await serve(other.blocks);
    const r = await c.verifyBlockchainIntegrity();
    expect(r.valid).toBe(false);
    expect(r.errors[0]).toMatch(/block 1/);
  });

  it('checks a range, anchored on a certified block', async () => {
    const c = await serve(chain.blocks);
    const r = await c.verifyBlockchainIntegrity({ fromHeight: 3, toHeight: 4 });
    expect(r).toMatchObject({ valid: true, checkedBlocks: 2, height: 4 });
  });

  it('fetches a block another validator is missing from the next one', async () => {
    const c = await serve(chain.blocks, 2);
    fakes[0]!.finalizedHeight = 3;
    const r = await c.verifyBlockchainIntegrity({ toHeight: 5, validator: 'validator-1' });
    expect(r.valid).toBe(true);
    expect(r.validators.sort()).toEqual(['validator-1', 'validator-2']);
  });

  it('throws NoHealthyValidatorError (not "invalid") when blocks cannot be fetched', async () => {
    const c = await serve(chain.blocks);
    fakes[0]!.finalizedHeight = 2;
    await expect(c.verifyBlockchainIntegrity({ toHeight: 5 })).rejects.toBeInstanceOf(NoHealthyValidatorError);
  });

  it('needs a genesis, and says so', async () => {
    fakes = await startValidators(1);
    client = createVotingClient({ validators: fakes.map((f) => f.config), healthCheckIntervalMs: 0 });
    await expect(client.verifyBlockchainIntegrity()).rejects.toThrow(InvalidArgumentError);
    await expect(client.verifyBlockchainIntegrity({ genesis: { chainId: 'x' } })).rejects.toThrow(/genesis.*chainId/);
    await expect(client.verifyBlockchainIntegrity({ genesis: chain.genesis, fromHeight: 0 })).rejects.toThrow(
      /fromHeight/,
    );
  });
});
