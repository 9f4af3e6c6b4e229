/** Key-value stores under the repositories: the contract and its two implementations. */
export type { KvOp, KvRange, KvStore } from './interface.js';
export { LevelKv, type LevelKvOptions, levelOpenFailure } from './levelKv.js';
export { MemoryKv } from './memoryKv.js';
