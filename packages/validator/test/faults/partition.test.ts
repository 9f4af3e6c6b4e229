/**
 * Fault 4: one validator is cut off from the other two by TCP proxies on every link. The pair
 * keeps finalizing, the lone validator finalizes nothing and acknowledges nothing (a vote on one
 * disk is not a promise: it answers -32012 and the load resends to the pair); after the heal
 * there is one chain and every acknowledged vote is finalized exactly once.
 */
import { describe, it } from '@jest/globals';
import { fetchHealth, finalizedHeight, waitFor } from '@poa-vote/test-utils';
import { runScenario, useFaultNetwork } from './scenario.js';

const PARTITION_SLOTS = 20;
const CATCH_UP_SLOTS = 60;

describe('fault: a validator is partitioned from the other two', () => {
  const fault = useFaultNetwork({ proxies: true });
  const iso = 0;
  const pair = [1, 2];

  it('4. partition one validator under load, then heal', async () => {
    const f = fault();
    await runScenario(
      f,
      {
        id: '4',
        title: 'partition one validator from the other two, then heal',
        asserts: [
          'the partition isolates: the lone validator reports 0 peers and 503, no connection passes the proxies, and its finalized height does not move for the rest of the partition',
          'the pair keeps finalizing (at least 6 blocks each during the partition)',
          'the lone validator acknowledges no vote during the partition: it answers -32012 (no quorum can hold what it takes), and the load resends those votes to the pair',
          `the lone validator reaches the pair's head within ${CATCH_UP_SLOTS} slots of the heal`,
          'identical chains, chain_valid, exact tally, no evidence on all three',
        ],
      },
      async (r) => {
        const url = (i: number) => f.urls[i]!;
        const load = f.startLoad('s4');
        await f.waitSlots(6);
        const tCut = Date.now();
        f.mesh!.isolate(iso);
        await waitFor(
          async () => (await fetchHealth(url(iso)))?.body.peers === 0,
          f.slots(20),
          'the lone validator to see no peer',
          () => r.tail(iso),
        );
        for (const i of pair)
          await waitFor(
            async () => (await fetchHealth(url(i)))?.body.peers === 1,
            f.slots(20),
            `validator-${i + 1} to see one peer`,
          );
        const isolatedMs = Date.now() - tCut;
        const isoHeight = await finalizedHeight(url(iso));
        const pairAt = await Promise.all(pair.map((i) => finalizedHeight(url(i))));
        await f.waitSlots(PARTITION_SLOTS);

        const health = await fetchHealth(url(iso));
        r.check(
          health?.status === 503,
          `the lone validator answers /health with ${health?.status}: ${JSON.stringify(health?.body)}`,
        );
        r.check(
          health?.body.peers === 0,
          `the lone validator reports ${health?.body.peers} peers during the partition`,
        );
        const isoNow = await finalizedHeight(url(iso));
        r.check(isoNow === isoHeight, `the lone validator finalized alone: height ${isoHeight} -> ${isoNow}`);
        r.check(
          f.mesh!.openLinks(iso) === 0,
          `${f.mesh!.openLinks(iso)} connections of the lone validator pass the proxies`,
        );
        const pairNow = await Promise.all(pair.map((i) => finalizedHeight(url(i))));
        pair.forEach((i, k) => {
          r.check(
            pairNow[k]! - pairAt[k]! >= 6,
            `validator-${i + 1} finalized ${pairNow[k]! - pairAt[k]!} blocks in ${PARTITION_SLOTS} slots of partition`,
          );
        });

        // Cut off, it acknowledges nothing: no quorum can hold what it takes. It answers -32012 and
        // the load resends the identical votes to the pair, which acknowledges and finalizes them.
        const ackedByIso = [...f.acked.values()].filter((v) => v.via === iso && v.at > tCut + 1500).length;
        r.check(ackedByIso === 0, `the lone validator acknowledged ${ackedByIso} votes during the partition`);
        const notReplicated = load.errorCodes.get(-32012) ?? 0;
        r.check(
          notReplicated > 0,
          'the lone validator never answered -32012 during the partition (the load did not reach it)',
        );

        const tHeal = Date.now();
        f.mesh!.healAll();
        await waitFor(
          () => f.monitor.caughtUpAt(iso, pair, tHeal) !== undefined,
          f.slots(CATCH_UP_SLOTS),
          'the lone validator to catch up',
          () => r.tail(iso),
        );
        const caughtUp = f.monitor.caughtUpAt(iso, pair, tHeal)!;
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
            ackedByLoneValidatorDuringPartition: ackedByIso,
            notReplicatedAnswers: notReplicated,
            proxyConnectionsRefused: [1, 2].reduce(
              (n, k) => n + f.mesh!.proxy(iso, k).refused + f.mesh!.proxy(k, iso).refused,
              0,
            ),
          },
        };
      },
    );
  }, 150_000);
});
