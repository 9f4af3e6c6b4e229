/**
 * A worker thread of the lattice hasher (latticeHasher.ts): sums the lattice hashes of the state
 * entries it is sent, and hands the sum back when asked. The lattice is a sum, so shares hashed in
 * different threads add up to the lattice of all entries in any order.
 */
import { parentPort } from 'node:worker_threads';
import { LtHash, type StateEntry } from '@poa-vote/shared';

export type LatticeRequest = { type: 'add'; id: number; entries: StateEntry[] } | { type: 'sum'; id: number };

export type LatticeResponse =
  | { type: 'added'; id: number }
  | { type: 'sum'; id: number; bytes: Uint8Array }
  | { type: 'error'; id: number; error: string };

let lattice = new LtHash();

parentPort?.on('message', (req: LatticeRequest) => {
  let res: LatticeResponse;
  try {
    if (req.type === 'add') {
      for (const e of req.entries) lattice.addEntry(e);
      res = { type: 'added', id: req.id };
    } else {
      res = { type: 'sum', id: req.id, bytes: lattice.bytes() };
      lattice = new LtHash();
    }
  } catch (err) {
    res = { type: 'error', id: req.id, error: (err as Error).message };
  }
  parentPort?.postMessage(res);
});
