/** Storage of the validator: the LevelDB chain database and its auditor. */
export {
  ChainDb,
  SCHEMA_VERSION,
  type ChainDbOptions,
  type StoredTransaction,
  type SubmissionRecord,
  type TxLocation,
} from './chainDb.js';
export { ChainVerifier } from './verifier.js';
export { DbError, DbErrorCode } from './errors.js';
export { Bucket, encodeHash, encodeHeight } from './buckets.js';
export { MetaKey, type VerifiedCursor } from './repositories/index.js';
