/** Trustless checks: the chain verified from the genesis, and elections recounted from it. */
export {
  verifyBlockchainIntegrity,
  type VerifyBlockchainIntegrityParameters,
  type VerifyBlockchainIntegrityReturnType,
} from './verifyBlockchainIntegrity.js';
export { tallyElection, type TallyElectionParameters, type TallyElectionReturnType } from './tallyElection.js';
export {
  compareWithResults,
  type CompareWithResultsParameters,
  type CompareWithResultsReturnType,
  type ResultDifference,
} from './compareWithResults.js';
export {
  TallyCache,
  DEFAULT_CLIENT_TALLY_ELECTIONS,
  type ElectionTally,
  type TallyCacheOptions,
} from './tallyCache.js';
export { toGenesis } from './genesis.js';
export { verifyElection, type VerifyElectionParameters, type VerifyElectionReturnType } from './verifyElection.js';
export { getElectionParams, type GetElectionParamsParameters } from './getElectionParams.js';
