/** The e2e tests' harness: the shared one in ../harness (kept here for existing imports). */
export * from '../harness/index.js';
