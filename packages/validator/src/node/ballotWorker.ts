/**
 * A worker thread of the ballot verifier pool (ballotVerifier.ts): verifies encrypted ballots with
 * the shared crypto layer and returns their ciphertexts, so the node's event loop stays free while
 * curve arithmetic runs on another core. Parameters come once per election (by electionHash key).
 */
import { parentPort } from 'node:worker_threads';
import {
  type CiphertextWire,
  type ElectionParams,
  ProtocolError,
  encodeCiphertext,
  verifyBallot,
} from '@poa-vote/shared';

export interface VerifyRequest {
  id: number;
  /** Key of the election's parameters; `params` is sent with the first request of each key. */
  key: string;
  params?: ElectionParams;
  voterId: string;
  data: string;
}

export type VerifyResponse =
  | { id: number; ok: true; ciphertexts: CiphertextWire[] }
  | { id: number; ok: false; error: string };

const elections = new Map<string, ElectionParams>();

parentPort?.on('message', (req: VerifyRequest) => {
  if (req.params !== undefined) elections.set(req.key, req.params);
  const params = elections.get(req.key);
  let res: VerifyResponse;
  if (params === undefined) res = { id: req.id, ok: false, error: 'unknown election parameters' };
  else {
    try {
      const v = verifyBallot(params, req.voterId, req.data);
      res = { id: req.id, ok: true, ciphertexts: v.ciphertexts.map(encodeCiphertext) };
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      res = { id: req.id, ok: false, error: `${err.code}: ${err.message}` };
    }
  }
  parentPort?.postMessage(res);
});
