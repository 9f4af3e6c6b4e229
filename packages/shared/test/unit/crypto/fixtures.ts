import {
  ProtocolError,
  dkgRound1,
  electionSetup,
  finalizeKey,
  makeTrusteeKey,
  seededRng,
  type Dealing,
  type ElectionParams,
  type ElectionSetup,
  type Rng,
  type TrusteeKeyMessage,
  type TrusteeSecret,
  type TrusteeShare,
} from '@poa-vote/shared';

export const CANDIDATES = ['alice', 'bob', 'carol', 'dave'];

export function setupOf(overrides: Partial<Omit<ElectionSetup, 'type' | 'v'>> = {}): ElectionSetup {
  return electionSetup({
    chainId: 1337,
    electionId: '7',
    candidates: CANDIDATES,
    minSelections: 1,
    maxSelections: 1,
    trustees: ['validator-1', 'validator-2', 'validator-3'],
    threshold: 2,
    ...overrides,
  });
}

export interface Ceremony {
  setup: ElectionSetup;
  keys: TrusteeKeyMessage[];
  secrets: TrusteeSecret[];
  dealings: Dealing[];
  params: ElectionParams;
  shares: TrusteeShare[];
}

/** A complete honest key ceremony with seeded randomness. */
export function ceremony(setup: ElectionSetup = setupOf(), seed = 'ceremony'): Ceremony {
  const rng: Rng = seededRng(seed);
  const n = setup.trustees.length;
  const made = Array.from({ length: n }, (_, i) => makeTrusteeKey(setup, i + 1, rng));
  const keys = made.map((m) => m.message);
  const secrets = made.map((m) => m.secret);
  const dealings = Array.from({ length: n }, (_, i) => dkgRound1(setup, i + 1, keys, rng));
  const results = secrets.map((s) => finalizeKey(setup, keys, dealings, [], s));
  return { setup, keys, secrets, dealings, params: results[0]!.params, shares: results.map((r) => r.share!) };
}

let cached: Ceremony | undefined;
/** The default ceremony, computed once per test file. */
export function defaultCeremony(): Ceremony {
  cached ??= ceremony();
  return cached;
}

/** The ProtocolError `f` throws (anything else, or nothing, fails the test). */
export function errorOf(f: () => unknown): ProtocolError {
  try {
    f();
  } catch (err) {
    if (err instanceof ProtocolError) return err;
    throw err;
  }
  throw new Error('expected a ProtocolError');
}
