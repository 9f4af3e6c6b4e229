/** One repository per stored entity. */
export { BlockRepository } from './blockRepository.js';
export { BlockHashRepository } from './blockHashRepository.js';
export { CertificateRepository } from './certificateRepository.js';
export { ElectionTotalRepository } from './electionTotalRepository.js';
export { EvidenceRepository } from './evidenceRepository.js';
export { type BackfillState, MetaKey, MetaRepository, type VerifiedCursor } from './metaRepository.js';
export { RegistryEntryRepository } from './registryEntryRepository.js';
export {
  PoolRepository,
  PoolReplicatedRecordRepository,
  PoolReplicatedRepository,
  type StoredPoolEntry,
} from './poolRepository.js';
export { SafetyRepository, type StoredLockRef, type StoredSafety } from './safetyRepository.js';
export { LockBlockRepository } from './lockBlockRepository.js';
export { SubmissionRepository, isStorableSubmissionId } from './submissionRepository.js';
export { TallyRepository, type TallyId } from './tallyRepository.js';
export {
  TxLocationRepository,
  type StoredTxLocation,
  receiptParties,
  txLocationOf,
  version2VoterKey,
} from './txLocationRepository.js';
export { VoterIndexRepository } from './voterIndexRepository.js';
export { ChainRepositories } from './chainRepositories.js';
