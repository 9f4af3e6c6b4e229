/** Elections on chain (issue 14): configuration, control transactions, the deterministic election state. */
export {
  CONFIG_TYPE,
  DEFAULT_DKG_PHASE_BLOCKS,
  parseElectionConfig,
  type BallotFormat,
  type ElectionConfig,
} from './config.js';
export {
  CONTROL_PREFIX,
  ELECTION_TX_TYPE,
  ELECTION_TX_DOMAIN,
  isControlFrom,
  controlFrom,
  parseControlFrom,
  electionTxSigningBytes,
  signElectionTx,
  openElectionTx,
  type ControlKind,
  type ControlTarget,
  type OpenedControlTx,
  type SignedElectionTx,
} from './controlTx.js';
export {
  COMPLAINTS_TYPE,
  ElectionRegistry,
  REGISTRY_SNAPSHOT_TYPE,
  type ElectionRecordWire,
  type ElectionRegistrySnapshot,
  type ComplaintsMessage,
  type ElectionChange,
  type ElectionPhase,
  type ElectionRecord,
  type ElectionRegistryOptions,
} from './registry.js';
