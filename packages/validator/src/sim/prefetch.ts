/**
 * The simulator's half of the read contract (consensus/reads.ts): before each step of a
 * simulated validator, load the voters it reads into its VoterCache, exactly as the node's
 * commit pipeline does, so that a read the driver did not foresee throws (VoterNotLoadedError)
 * and fails the seed as a core exception. The simulated index answers at once, so no step waits.
 */
import type { ConsensusCore, ConsensusInit } from '../consensus/core.js';
import { VoterPrefetch } from '../consensus/reads.js';
import type { VoterLease } from '../state/voterCache.js';
import { VoterCache } from '../state/voterCache.js';

function run<T>(prefetch: VoterPrefetch, lease: VoterLease, step: () => T): T {
  if (lease.ready !== undefined) {
    lease.release();
    throw new Error('the simulated voter index must answer synchronously');
  }
  try {
    return step();
  } finally {
    lease.release();
    prefetch.stepDone();
  }
}

/** Build a core whose steps load their voters first (a no-op for a ChainState that holds every vote). */
export function prefetchingCore<C extends ConsensusCore>(init: ConsensusInit, create: (init: ConsensusInit) => C): C {
  const voters = init.chain.voters;
  if (!(voters instanceof VoterCache)) return create(init);
  const prefetch = new VoterPrefetch(voters);
  // The constructor reads the voters of the restored pool.
  const core = run(prefetch, prefetch.submission(init.pool ?? []), () => create(init));
  prefetch.attach(core);
  const receive = core.receive.bind(core);
  const submit = core.submit.bind(core);
  core.receive = (from, msg) => run(prefetch, prefetch.message(msg), () => receive(from, msg));
  core.submit = (txs) => run(prefetch, prefetch.submission(txs), () => submit(txs));
  return core;
}
