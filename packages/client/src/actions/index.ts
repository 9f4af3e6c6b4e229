/** Actions: one per file, each `(client, ...) => Promise<ReturnType>`. */
export { submitVote, type SubmitVoteParameters, type SubmitVoteReturnType } from './submitVote.js';
export {
  submitVotes,
  type SubmitVotesParameters,
  type SubmitVotesReturnType,
  type SubmitVoteResult,
} from './submitVotes.js';
export { getReceipt, type GetReceiptParameters, type GetReceiptReturnType } from './getReceipt.js';
export {
  getTransactionStatus,
  type GetTransactionStatusParameters,
  type GetTransactionStatusReturnType,
} from './getTransactionStatus.js';
export {
  waitForConfirmation,
  type WaitForConfirmationParameters,
  type WaitForConfirmationReturnType,
} from './waitForConfirmation.js';
export { getResults, type GetResultsParameters, type GetResultsReturnType } from './getResults.js';
export { getBlockchain, type GetBlockchainParameters, type GetBlockchainReturnType } from './getBlockchain.js';
export { getHealth, type GetHealthParameters, type GetHealthReturnType, type ValidatorHealth } from './getHealth.js';
export { getElection, type GetElectionParameters, type GetElectionReturnType } from './getElection.js';
export { getBlock, type GetBlockParameters, type GetBlockReturnType } from './getBlock.js';
export { encryptBallot, type BallotChoice, type EncryptBallotParameters } from './encryptBallot.js';
export type { QuorumInfo } from './quorum.js';
export type { ReadOptions } from './readOptions.js';
