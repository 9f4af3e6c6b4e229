#!/usr/bin/env node
/**
 * Encrypted-ballot speed on this machine: ballot encryption and verification per second for a
 * 4-candidate one-choice election (one core), and the parts a verification spends its time on.
 * Usage (after `npm run build`): node scripts/bench/ballotCrypto.mjs [--ballots 200]
 */
import { ristretto255 } from '@noble/curves/ed25519.js';
import {
  addBallots,
  decryptTally,
  dkgRound1,
  electionSetup,
  encryptBallot,
  finalizeKey,
  makeTrusteeKey,
  partialDecrypt,
  seededRng,
  verifyBallot,
} from '@poa-vote/shared';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const N = arg('ballots', 200);

function time(label, n, f) {
  const t0 = performance.now();
  const out = f();
  const ms = performance.now() - t0;
  console.log(
    `${label.padEnd(44)} ${(ms / n).toFixed(2).padStart(8)} ms each  ${((n * 1000) / ms).toFixed(0).padStart(7)} /s`,
  );
  return out;
}

const setup = electionSetup({
  chainId: 1337,
  electionId: 'bench',
  candidates: ['a', 'b', 'c', 'd'],
  minSelections: 1,
  maxSelections: 1,
  trustees: ['v1', 'v2', 'v3'],
  threshold: 2,
});
const rng = seededRng('bench');
const t = time('key ceremony (3 trustees, threshold 2)', 1, () => {
  const made = [1, 2, 3].map((i) => makeTrusteeKey(setup, i, rng));
  const keys = made.map((m) => m.message);
  const dealings = [1, 2, 3].map((i) => dkgRound1(setup, i, keys, rng));
  return made.map((m) => finalizeKey(setup, keys, dealings, [], m.secret));
});
const params = t[0].params;
console.log(`node ${process.version}, ${N} ballots, 4 candidates, one choice\n`);
encryptBallot(params, 'warm', 0, rng); // builds the K table once per election (prepareElection)
const ballots = time('encryptBallot', N, () =>
  Array.from({ length: N }, (_, i) => encryptBallot(params, `voter-${i}`, i % 4, rng)),
);
const verified = time('verifyBallot', N, () => ballots.map((b, i) => verifyBallot(params, `voter-${i}`, b)));
const agg = time('addBallots', N, () => addBallots(params, verified));
const partials = time('partialDecrypt (per trustee)', 2, () =>
  t.slice(0, 2).map((r) => partialDecrypt(params, r.share, agg, rng)),
);
const tally = time('decryptTally (verify 2 partials, combine, dlog)', 1, () => decryptTally(params, agg, partials));
console.log(`counts ${tally.counts.join(', ')}\n`);

// What a verification is made of: per selection 4 variable-base 128-bit multiplications, 4 fixed-base
// 253-bit ones (G, K with window-8 tables), 4 point encodings for the transcript, 2 decodings.
const P = ristretto255.Point;
const G = P.BASE.multiply(1n).precompute(8, false);
const X = P.BASE.multiply(123456789n);
const s128 = (1n << 127n) + 987654321n;
const s253 = P.Fn.ORDER - 987654321n;
const enc = X.toBytes();
const M = 2000;
time('  variable-base multiply, 128-bit scalar', M, () => {
  for (let i = 0; i < M; i++) X.multiplyUnsafe(s128);
});
time('  fixed-base multiply (window 8), 253-bit', M, () => {
  for (let i = 0; i < M; i++) G.multiplyUnsafe(s253);
});
time('  point encoding (toBytes)', M, () => {
  for (let i = 0; i < M; i++) X.toBytes();
});
time('  point decoding (fromBytes)', M, () => {
  for (let i = 0; i < M; i++) P.fromBytes(enc);
});
