// The same closed loop as loadgen.mjs, through @poa-vote/client: submitVote per vote (single) or
// submitVotes per batch. Costs the client library's own work (local hashing, failover bookkeeping).
import { performance } from 'node:perf_hooks';
import { CLIENT_LIB, requireBuilt } from '../lib/index.mjs';

/** A voting client over the cluster's validators (round-robin). */
export async function makeClient(nodes, genesis) {
  const lib = await import(requireBuilt(CLIENT_LIB));
  return lib.createVotingClient({
    validators: nodes.map((n) => ({ nodeId: n.id, rpcUrl: n.rpcUrl })),
    genesis,
    strategy: 'round-robin',
    requestTimeoutMs: 60_000,
    retry: { attempts: 3, baseDelayMs: 100, maxDelayMs: 1000 },
  });
}

/** Drive `count` votes through the client; same result shape as runLoad. */
export async function runClientLoad({ client, factory, mode, count, batchSize = 1, concurrency, rate, onError }) {
  const sentAt = new Float64Array(count);
  let next = 0;
  let accepted = 0;
  let errors = 0;
  let firstError;
  let requests = 0;
  const ackMs = [];
  const startedAt = performance.now();
  const fail = (msg) => {
    errors++;
    firstError ??= msg;
    onError?.(msg);
  };
  const input = (i) => {
    const v = factory.vote(i);
    return { voterId: v.tx.from, electionId: factory.electionId, encryptedVote: v.tx.data, transactionId: v.id };
  };

  async function worker() {
    for (;;) {
      if (next >= count) return;
      const from = next;
      const to = Math.min(count, from + (mode === 'batch' ? batchSize : 1));
      next = to;
      if (rate !== undefined) {
        const wait = startedAt + (1000 * from) / rate - performance.now();
        if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      }
      const t = performance.now();
      for (let i = from; i < to; i++) sentAt[i] = t;
      requests++;
      try {
        // Time to the client's answer (failover retries included).
        if (mode === 'batch') {
          const votes = [];
          for (let i = from; i < to; i++) votes.push(input(i));
          for (const r of await client.submitVotes(votes, { batchSize })) {
            if (r.ok) accepted++;
            else fail(`${r.error.name}: ${r.error.message}`);
          }
        } else {
          await client.submitVote(input(from));
          accepted++;
        }
        ackMs.push(performance.now() - t);
      } catch (e) {
        for (let i = from; i < to; i++) fail(`${e.name}: ${e.message}`);
      }
    }
  }

  await Promise.all(Array.from({ length: concurrency }, () => worker()));
  return { sent: next, accepted, errors, firstError, requests, startedAt, endedAt: performance.now(), sentAt, ackMs };
}
