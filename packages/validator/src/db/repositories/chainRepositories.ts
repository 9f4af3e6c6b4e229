/**
 * Every repository of the chain database over one KvStore (lodestar's `Db`): the batch builder,
 * the readers and the schema upgrades reach storage only through these. A new kind of state is
 * one more repository here (and its bucket number in buckets.ts).
 */
import type { KvStore } from '../kv/index.js';
import { BlockHashRepository } from './blockHashRepository.js';
import { BlockRepository } from './blockRepository.js';
import { CertificateRepository } from './certificateRepository.js';
import { ElectionTotalRepository } from './electionTotalRepository.js';
import { EvidenceRepository } from './evidenceRepository.js';
import { LockBlockRepository } from './lockBlockRepository.js';
import { MetaRepository } from './metaRepository.js';
import { PoolReplicatedRecordRepository, PoolReplicatedRepository, PoolRepository } from './poolRepository.js';
import { RegistryEntryRepository } from './registryEntryRepository.js';
import { SafetyRepository } from './safetyRepository.js';
import { SubmissionRepository } from './submissionRepository.js';
import { TallyRepository } from './tallyRepository.js';
import { TxLocationRepository } from './txLocationRepository.js';
import { VoterIndexRepository } from './voterIndexRepository.js';

export class ChainRepositories {
  readonly meta: MetaRepository;
  readonly blocks: BlockRepository;
  readonly blockHeights: BlockHashRepository;
  readonly certificates: CertificateRepository;
  readonly txLocations: TxLocationRepository;
  readonly voters: VoterIndexRepository;
  readonly submissions: SubmissionRepository;
  readonly tallies: TallyRepository;
  readonly totals: ElectionTotalRepository;
  readonly evidence: EvidenceRepository;
  readonly safety: SafetyRepository;
  readonly pool: PoolRepository;
  readonly poolReplicated: PoolReplicatedRepository;
  readonly poolReplicatedRecords: PoolReplicatedRecordRepository;
  readonly lockBlocks: LockBlockRepository;
  readonly registryEntries: RegistryEntryRepository;

  constructor(readonly kv: KvStore) {
    this.meta = new MetaRepository(kv);
    this.blocks = new BlockRepository(kv);
    this.blockHeights = new BlockHashRepository(kv);
    this.certificates = new CertificateRepository(kv);
    this.txLocations = new TxLocationRepository(kv);
    this.voters = new VoterIndexRepository(kv);
    this.submissions = new SubmissionRepository(kv);
    this.tallies = new TallyRepository(kv);
    this.totals = new ElectionTotalRepository(kv);
    this.evidence = new EvidenceRepository(kv);
    this.safety = new SafetyRepository(kv);
    this.pool = new PoolRepository(kv);
    this.poolReplicated = new PoolReplicatedRepository(kv);
    this.poolReplicatedRecords = new PoolReplicatedRecordRepository(kv);
    this.lockBlocks = new LockBlockRepository(kv);
    this.registryEntries = new RegistryEntryRepository(kv);
  }
}
