/** Storage of the validator: the chain database over a key-value store, and its auditor. */
export {
  ChainDb,
  DEFAULT_MAX_OPEN_FILES,
  MIN_MAX_OPEN_FILES,
  SCHEMA_VERSION,
  type ChainDbOptions,
  type ElectionTally,
  type StoredReceipt,
  type StoredTransaction,
  type SubmissionRecord,
  type TxLocation,
} from './chainDb.js';
export { ChainVerifier, type ChainAudit } from './verifier.js';
export { DbError, DbErrorCode } from './errors.js';
export { Bucket, encodeHash, encodeHeight } from './buckets.js';
export { type KvOp, type KvRange, type KvStore, LevelKv, MemoryKv } from './kv/index.js';
export { MetaKey, type VerifiedCursor } from './repositories/index.js';
