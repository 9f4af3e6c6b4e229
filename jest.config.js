/**
 * Jest projects: `unit` (in-process, including the consensus simulator), `e2e` (real validator
 * processes on loopback, run in band), `faults` (perturbations of a real network), `adversarial`
 * and `soak` (a short long-run benchmark: memory must not grow with the chain).
 * ESM: run node with --experimental-vm-modules (the root scripts do).
 */
const common = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  // Promise.withResolvers for libp2p on Node 20: the validator's own polyfill, the one copy there is.
  setupFiles: ['<rootDir>/packages/validator/src/util/polyfills.ts'],
  moduleNameMapper: {
    '^@poa-vote/(shared|validator|client|test-utils)$': '<rootDir>/packages/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.test.json' }],
  },
};

export default {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/packages/*/test/unit/**/*.test.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/packages/*/test/e2e/**/*.test.ts'] },
    { ...common, displayName: 'faults', testMatch: ['<rootDir>/packages/*/test/faults/**/*.test.ts'] },
    { ...common, displayName: 'adversarial', testMatch: ['<rootDir>/packages/*/test/adversarial/**/*.test.ts'] },
    // A short run of the long-run benchmark (scripts/soak.mjs): RSS after warm-up against RSS at the end.
    { ...common, displayName: 'soak', testMatch: ['<rootDir>/packages/*/test/soak/**/*.test.ts'] },
  ],
};
