/**
 * Faults 1 and 2: a validator is killed with SIGKILL under a steady vote load, the other two
 * keep finalizing; then it is restarted from its data and catches up to the same head. Last, the
 * audit every scenario ends with is shown to fail when a vote is lost or appears unacknowledged.
 */
import { describe, expect, it } from '@jest/globals';
import { txHash } from '@poa-vote/shared';
import { type AckedVote, auditNetwork, ballot, finalizedHeight, waitFor } from '@poa-vote/test-utils';
import { runScenario, useFaultNetwork } from './scenario.js';

/** Catch-up must finish within this many slots of the restart (process start included). */
const CATCH_UP_SLOTS = 60;

describe('fault: a validator crashes (SIGKILL) and restarts', () => {
  const fault = useFaultNetwork();
  const victim = 2;
  const others = [0, 1];
  let heightAtKill = 0;

  it('1. kill -9 one validator under load: the other two keep finalizing', async () => {
    const f = fault();
    await runScenario(
      f,
      {
        id: '1',
        title: 'kill -9 one validator under load',
        asserts: [
          'both survivors finalize at least 4 more blocks in the 15 slots after the kill',
          "every vote acknowledged by any validator, the victim's last ones included, is finalized exactly once on both survivors",
          'identical chains, chain_valid, exact tally, no evidence on the survivors',
        ],
      },
      async (r) => {
        f.startLoad('s1');
        await f.waitSlots(8);
        heightAtKill = await finalizedHeight(f.urls[victim]!);
        const tKill = Date.now();
        await f.net.kill(victim);
        const at = others.map((i) => f.monitor.last(i) ?? 0);
        await f.waitSlots(15);
        const tEnd = Date.now();
        for (const i of others) {
          const now = await finalizedHeight(f.urls[i]!);
          r.check(
            now - at[i]! >= 4,
            `validator-${i + 1} finalized ${now - at[i]!} blocks in 15 slots after the kill (from ${at[i]} to ${now})\n${r.tail(i)}`,
          );
        }
        // No allowance for votes the victim acknowledged just before dying: each was already on a quorum.
        return {
          live: others,
          noFinalityMs: f.monitor.longestStall(tKill, tEnd, others),
          extra: { victimHeightAtKill: heightAtKill, blocksWhileDown: f.monitor.progress(tKill, tEnd, others) },
        };
      },
    );
  }, 120_000);

  it('2. restart it: it reopens its data and catches up to the same finalized head', async () => {
    const f = fault();
    await runScenario(
      f,
      {
        id: '2',
        title: 'restart the killed validator',
        asserts: [
          `it reopens its database at the height it had (or higher) and reaches the others' head within ${CATCH_UP_SLOTS} slots`,
          'then every acknowledged vote, including those only the victim held when it died, is finalized exactly once on all three',
          'identical chains, chain_valid, exact tally, no evidence on all three',
        ],
      },
      async (r) => {
        f.startLoad('s2');
        await f.waitSlots(3);
        const tRestart = Date.now();
        const headAtRestart = Math.max(...others.map((i) => f.monitor.last(i) ?? 0));
        const readyBefore = f.net.validators[victim]!.ready.length;
        await f.net.start(victim);
        await waitFor(
          () => f.monitor.caughtUpAt(victim, others, tRestart) !== undefined,
          f.slots(CATCH_UP_SLOTS),
          `validator-${victim + 1} caught up`,
          () => r.tail(victim),
        );
        const caughtUp = f.monitor.caughtUpAt(victim, others, tRestart)!;
        const ready = f.net.validators[victim]!.ready[readyBefore];
        r.check(
          ready !== undefined && ready.height >= heightAtKill,
          `validator-${victim + 1} reopened at height ${ready?.height}, it had ${heightAtKill} when killed`,
        );
        await f.waitSlots(8);
        return {
          live: [0, 1, 2],
          catchUpMs: caughtUp - tRestart,
          extra: {
            reopenedAtHeight: ready?.height ?? null,
            headAtRestart,
            processUpMs: ready ? ready.at - tRestart : null,
            catchUpSlots: Math.ceil((caughtUp - tRestart) / f.slotMs),
          },
        };
      },
    );
  }, 120_000);

  it('the audit itself fails on a lost vote, on a vote nobody acknowledged, and on a wrong tally', async () => {
    const f = fault();
    const base = {
      genesis: f.net.genesis,
      urls: f.urls,
      live: [0, 1, 2],
      electionId: f.electionId,
      receiptTimeoutMs: 1000,
    };
    const clean = await auditNetwork({ ...base, acked: f.acked });
    expect(clean.problems).toEqual([]);

    const tx = { from: 'never-sent', to: `election-${f.electionId}`, data: ballot('alice') };
    const ghost: AckedVote = { hash: txHash(tx), tx, candidate: 'alice', via: 0, at: Date.now(), attempts: 1 };
    const withGhost = await auditNetwork({ ...base, acked: new Map([...f.acked, [ghost.hash, ghost]]) });
    expect(withGhost.figures.lost).toBe(1);
    expect(withGhost.problems.join('\n')).toContain('have no receipt');

    const dropped = new Map(f.acked);
    dropped.delete([...f.acked.keys()][0]!);
    const withoutOne = await auditNetwork({ ...base, acked: dropped });
    expect(withoutOne.figures.unacknowledgedOnChain).toBe(1);
    expect(withoutOne.problems.join('\n')).toContain('never acknowledged');
    expect(withoutOne.problems.join('\n')).toMatch(/\/results total \d+, but \d+ acknowledged votes/);
  }, 120_000);
});
