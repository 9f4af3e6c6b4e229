/**
 * `--empty-block-interval-slots` on three real validators: an idle chain makes a block only every
 * N slots (the others pass without one, as a dead leader's do) and stays healthy, and a vote does
 * not wait for the interval: the next slot's leader proposes it.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Hex, txHash } from '@poa-vote/shared';
import { TestNetwork, finalizedHeight, getJson, rpc, waitForValue } from '@poa-vote/test-utils';

const INTERVAL = 5;
const SLOT_MS = 300;

describe(`an idle chain with --empty-block-interval-slots ${INTERVAL}`, () => {
  let net: TestNetwork;

  beforeAll(async () => {
    net = await TestNetwork.create({
      slotMs: SLOT_MS,
      extraArgs: () => ['--empty-block-interval-slots', String(INTERVAL)],
    });
    await net.start();
    await net.waitHealthy();
  }, 60_000);

  afterAll(async () => {
    await net?.stop();
  }, 30_000);

  it('makes a block only every few slots while idle, every validator healthy throughout', async () => {
    const url = net.validators[0]!.url;
    const before = await getJson(`${url}/health`);
    const h0 = await finalizedHeight(url);
    const unhealthy: string[] = [];
    for (let k = 0; k < 24; k++) {
      await new Promise((r) => setTimeout(r, SLOT_MS));
      for (const v of net.validators) {
        const { status, body } = await getJson(`${v.url}/health`);
        if (status !== 200) unhealthy.push(`${v.id}: ${JSON.stringify(body.reasons)}`);
      }
    }
    const after = await getJson(`${url}/health`);
    const slots = after.body.slot - before.body.slot;
    const blocks = (await finalizedHeight(url)) - h0;
    expect(unhealthy).toEqual([]);
    // With a block every slot (the default) this would be about `slots`.
    expect(slots).toBeGreaterThanOrEqual(20);
    expect(blocks).toBeGreaterThanOrEqual(1);
    expect(blocks).toBeLessThanOrEqual(Math.ceil(slots / INTERVAL) + 1);
  }, 60_000);

  it('puts a vote in the next block, without waiting for the interval', async () => {
    const url = net.validators[1]!.url;
    const tx = {
      from: 'voter-idle-1',
      to: 'election-1',
      data: Buffer.from('{"candidate_id":"alice"}').toString('base64'),
    };
    const head = await finalizedHeight(url);
    const r = await rpc(url, 'eth_sendTransaction', [tx]);
    expect(r.result).toBe(txHash(tx));
    const receipt = await waitForValue(
      async () =>
        ((await rpc(url, 'eth_getTransactionReceipt', [r.result as Hex])).result as { blockNumber: string } | null) ??
        undefined,
      10_000,
      'the vote finalized',
    );
    // The next height (or the one after, if an empty block was being decided as the vote arrived).
    expect(Number(receipt.blockNumber)).toBeLessThanOrEqual(head + 2);
  }, 30_000);
});
