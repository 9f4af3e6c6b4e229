/**
 * Fault 4: one validator is cut off from the other two by TCP proxies on every link. The pair
 * keeps finalizing, the lone validator finalizes nothing (while it keeps acknowledging votes);
 * after the heal there is one chain and the lone validator's votes are finalized exactly once.
 */
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import type { Hex } from '@poa-vote/shared';
import { fetchHealth, finalizedHeight, rpcBatch, waitFor } from '../harness/index.js';
import { FaultNetwork, runScenario } from './scenario.js';

const PARTITION_SLOTS = 20;
const CATCH_UP_SLOTS = 60;

async function receiptHeights(url: string, hashes: Hex[]): Promise<(number | null)[]> {
  if (hashes.length === 0) return [];
  const answers = await rpcBatch(url, hashes.map((h) => ({ method: 'eth_getTransactionReceipt', params: [h] })), 20_000);
  return answers.map((a) => (a.result ? Number((a.result as { blockNumber: string }).blockNumber) : null));
}

describe('fault: a validator is partitioned from the other two', () => {
  let f: FaultNetwork;
  const iso = 0;
  const pair = [1, 2];

  beforeAll(async () => {
    f = await FaultNetwork.start({ proxies: true });
  }, 60_000);

  afterAll(async () => {
    await f?.teardown();
  }, 60_000);

  it('4. partition one validator under load, then heal', async () => {
    await runScenario(
      f,
      {
        id: '4',
        title: 'partition one validator from the other two, then heal',
        asserts: [
          'the partition isolates: the lone validator reports 0 peers and 503, no connection passes the proxies, and its finalized height does not move for the rest of the partition',
          'the pair keeps finalizing (at least 6 blocks each during the partition)',
          'votes the lone validator acknowledged during the partition are not final anywhere before the heal, and after it each is final exactly once, in a block above the height the pair had at the heal',
          `the lone validator reaches the pair's head within ${CATCH_UP_SLOTS} slots of the heal`,
          'identical chains, chain_valid, exact tally, no evidence on all three',
        ],
      },
      async (r) => {
        const url = (i: number) => f.urls[i]!;
        f.startLoad('s4');
        await f.waitSlots(6);
        const tCut = Date.now();
        f.mesh!.isolate(iso);
        await waitFor(async () => (await fetchHealth(url(iso)))?.body.peers === 0, f.slots(20), 'the lone validator to see no peer', () => r.tail(iso));
        for (const i of pair) await waitFor(async () => (await fetchHealth(url(i)))?.body.peers === 1, f.slots(20), `validator-${i + 1} to see one peer`);
        const isolatedMs = Date.now() - tCut;
        const isoHeight = await finalizedHeight(url(iso));
        const pairAt = await Promise.all(pair.map((i) => finalizedHeight(url(i))));
        await f.waitSlots(PARTITION_SLOTS);

        const health = await fetchHealth(url(iso));
        r.check(health?.status === 503, `the lone validator answers /health with ${health?.status}: ${JSON.stringify(health?.body)}`);
        r.check(health?.body.peers === 0, `the lone validator reports ${health?.body.peers} peers during the partition`);
        const isoNow = await finalizedHeight(url(iso));
        r.check(isoNow === isoHeight, `the lone validator finalized alone: height ${isoHeight} -> ${isoNow}`);
        r.check(f.mesh!.openLinks(iso) === 0, `${f.mesh!.openLinks(iso)} connections of the lone validator pass the proxies`);
        const pairNow = await Promise.all(pair.map((i) => finalizedHeight(url(i))));
        pair.forEach((i, k) => r.check(pairNow[k]! - pairAt[k]! >= 6, `validator-${i + 1} finalized ${pairNow[k]! - pairAt[k]!} blocks in ${PARTITION_SLOTS} slots of partition`));

        // Votes only the lone validator holds: acknowledged by it after it was cut off.
        const held = [...f.acked.values()].filter((v) => v.via === iso && v.at > tCut).map((v) => v.hash);
        r.check(held.length > 0, 'the lone validator acknowledged no vote during the partition (the load did not reach it)');
        for (const i of pair) {
          const early = (await receiptHeights(url(i), held)).filter((h) => h !== null).length;
          r.check(early === 0, `${early} votes acknowledged by the lone validator are final on validator-${i + 1} during the partition: the partition leaks`);
        }

        const tHeal = Date.now();
        const pairHeightAtHeal = Math.max(...(await Promise.all(pair.map((i) => finalizedHeight(url(i))))));
        f.mesh!.healAll();
        await waitFor(() => f.monitor.caughtUpAt(iso, pair, tHeal) !== undefined, f.slots(CATCH_UP_SLOTS), 'the lone validator to catch up', () => r.tail(iso));
        const caughtUp = f.monitor.caughtUpAt(iso, pair, tHeal)!;
        let heldFinalAt = 0;
        await waitFor(
          async () => {
            for (const i of [iso, ...pair]) if ((await receiptHeights(url(i), held)).some((h) => h === null)) return false;
            heldFinalAt = Date.now();
            return true;
          },
          f.slots(CATCH_UP_SLOTS),
          'the lone validator\'s votes to be final everywhere',
        ).catch((e: Error) => r.check(false, e.message));
        const heights = (await receiptHeights(url(pair[0]!), held)).filter((h): h is number => h !== null);
        const tooLow = heights.filter((h) => h <= pairHeightAtHeal).length;
        r.check(tooLow === 0, `${tooLow} votes the lone validator held were final at or below height ${pairHeightAtHeal}, before the heal`);
        await f.waitSlots(5);
        return {
          live: [0, 1, 2],
          catchUpMs: caughtUp - tHeal,
          noFinalityMs: f.monitor.longestStall(tCut, tHeal, pair),
          extra: {
            partitionMs: tHeal - tCut,
            detectedIsolationMs: isolatedMs,
            loneFinalizedDuringPartition: isoNow - isoHeight,
            pairBlocksDuringPartition: f.monitor.progress(tCut, tHeal, pair),
            ackedByLoneValidatorDuringPartition: held.length,
            loneVotesFinalAfterHealMs: heldFinalAt > 0 ? heldFinalAt - tHeal : null,
            proxyConnectionsRefused: [1, 2].reduce((n, k) => n + f.mesh!.proxy(iso, k).refused + f.mesh!.proxy(k, iso).refused, 0),
          },
        };
      },
    );
  }, 150_000);
});
