/** The client: a validator pool plus every action bound to it. */
import type { Genesis } from '@poa-vote/shared';
import type { ClientContext } from './context.js';
import { InvalidArgumentError } from './errors.js';
import { getBlock, type GetBlockParameters, type GetBlockReturnType } from './actions/getBlock.js';
import { getBlockchain, type GetBlockchainParameters, type GetBlockchainReturnType } from './actions/getBlockchain.js';
import { getHealth, type GetHealthParameters, type GetHealthReturnType } from './actions/getHealth.js';
import { getReceipt, type GetReceiptParameters, type GetReceiptReturnType } from './actions/getReceipt.js';
import { getResults, type GetResultsParameters, type GetResultsReturnType } from './actions/getResults.js';
import { getElection, type GetElectionParameters, type GetElectionReturnType } from './actions/getElection.js';
import {
  getTransactionStatus,
  type GetTransactionStatusParameters,
  type GetTransactionStatusReturnType,
} from './actions/getTransactionStatus.js';
import { submitVote, type SubmitVoteParameters, type SubmitVoteReturnType } from './actions/submitVote.js';
import { submitVotes, type SubmitVotesParameters, type SubmitVotesReturnType } from './actions/submitVotes.js';
import {
  waitForConfirmation,
  type WaitForConfirmationParameters,
  type WaitForConfirmationReturnType,
} from './actions/waitForConfirmation.js';
import { resolveGenesis, resolveRetry, type VotingClientOptions } from './options.js';
import { ValidatorPool } from './pool/validatorPool.js';
import { WebSocketRegistry } from './transport/webSockets.js';
import type { VoteInput } from './utils/voteTransaction.js';
import {
  compareWithResults,
  type CompareWithResultsParameters,
  type CompareWithResultsReturnType,
} from './verify/compareWithResults.js';
import { TallyCache } from './verify/tallyCache.js';
import { tallyElection, type TallyElectionParameters, type TallyElectionReturnType } from './verify/tallyElection.js';
import {
  verifyElection,
  type VerifyElectionParameters,
  type VerifyElectionReturnType,
} from './verify/verifyElection.js';
import { getElectionParams, type GetElectionParamsParameters } from './verify/getElectionParams.js';
import type { ElectionParams } from '@poa-vote/shared';
import {
  verifyBlockchainIntegrity,
  type VerifyBlockchainIntegrityParameters,
  type VerifyBlockchainIntegrityReturnType,
} from './verify/verifyBlockchainIntegrity.js';

export interface VotingClient extends ClientContext {
  /** See {@link submitVote}. */
  submitVote(params: SubmitVoteParameters): Promise<SubmitVoteReturnType>;
  /** See {@link submitVotes}. */
  submitVotes(votes: readonly VoteInput[], params?: SubmitVotesParameters): Promise<SubmitVotesReturnType>;
  /** See {@link getReceipt}. */
  getReceipt(hashOrSubmissionId: string, params?: GetReceiptParameters): Promise<GetReceiptReturnType>;
  /** See {@link getTransactionStatus}. */
  getTransactionStatus(
    hashOrSubmissionId: string,
    params?: GetTransactionStatusParameters,
  ): Promise<GetTransactionStatusReturnType>;
  /** See {@link waitForConfirmation}. */
  waitForConfirmation(
    hashOrVote: string | VoteInput,
    params?: WaitForConfirmationParameters,
  ): Promise<WaitForConfirmationReturnType>;
  /** See {@link getResults}. */
  getResults(electionId: string | number, params?: GetResultsParameters): Promise<GetResultsReturnType>;
  /** See {@link getElection}. */
  getElection(electionId: string | number, params?: GetElectionParameters): Promise<GetElectionReturnType>;
  /** See {@link getBlockchain}. */
  getBlockchain(params?: GetBlockchainParameters): Promise<GetBlockchainReturnType>;
  /** See {@link getHealth}. */
  getHealth(params?: GetHealthParameters): Promise<GetHealthReturnType>;
  /** See {@link getBlock}. */
  getBlock(height: number, params?: GetBlockParameters): Promise<GetBlockReturnType>;
  /** See {@link verifyBlockchainIntegrity}. */
  verifyBlockchainIntegrity(params?: VerifyBlockchainIntegrityParameters): Promise<VerifyBlockchainIntegrityReturnType>;
  /** See {@link tallyElection}. */
  tallyElection(electionId: string | number, params?: TallyElectionParameters): Promise<TallyElectionReturnType>;
  /** See {@link compareWithResults}. */
  compareWithResults(
    electionId: string | number,
    params?: CompareWithResultsParameters,
  ): Promise<CompareWithResultsReturnType>;
  /** See {@link verifyElection}. */
  verifyElection(electionId: string | number, params?: VerifyElectionParameters): Promise<VerifyElectionReturnType>;
  /** See {@link getElectionParams}. */
  getElectionParams(electionId: string | number, params?: GetElectionParamsParameters): Promise<ElectionParams>;
  /** Stop the health monitor, abort requests in flight, close sockets. Idempotent. */
  close(): void;
}

/**
 * Create a client for the validators of one chain. Options are validated here, with errors
 * naming the bad field. Call close() when done (its timers never keep the process alive).
 * @example
 * const client = createVotingClient({
 *   validators: [
 *     { nodeId: 'validator-1', rpcUrl: 'http://localhost:8001' },
 *     { nodeId: 'validator-2', rpcUrl: 'http://localhost:8002' },
 *   ],
 *   genesis: JSON.parse(await readFile('genesis.json', 'utf8')),
 *   retry: { attempts: 5, baseDelayMs: 100 },
 * });
 * const { status } = await client.submitVote({ voterId: 'voter-42', electionId: 7, encryptedVote: ballot, until: 'finalized' });
 * client.close();
 */
export function createVotingClient(options: VotingClientOptions = {}): VotingClient {
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('options', 'must be an object');
  const { genesis: rawGenesis, retry: rawRetry, webSocket, ...poolOptions } = options;
  const genesis: Genesis | undefined = resolveGenesis(rawGenesis);
  const retry = resolveRetry(rawRetry);
  const pool = new ValidatorPool({ ...poolOptions, ...(genesis ? { expectedChainId: genesis.chainId } : {}) });
  const webSockets = new WebSocketRegistry(webSocket);
  const tallies = new TallyCache();
  const ctx: ClientContext = { pool, genesis, retry, webSockets, tallies };
  return {
    ...ctx,
    submitVote: (params) => submitVote(ctx, params),
    submitVotes: (votes, params) => submitVotes(ctx, votes, params),
    getReceipt: (ref, params) => getReceipt(ctx, ref, params),
    getTransactionStatus: (ref, params) => getTransactionStatus(ctx, ref, params),
    waitForConfirmation: (hashOrVote, params) => waitForConfirmation(ctx, hashOrVote, params),
    getResults: (electionId, params) => getResults(ctx, electionId, params),
    getElection: (electionId, params) => getElection(ctx, electionId, params),
    getBlockchain: (params) => getBlockchain(ctx, params),
    getHealth: (params) => getHealth(ctx, params),
    getBlock: (height, params) => getBlock(ctx, height, params),
    verifyBlockchainIntegrity: (params) => verifyBlockchainIntegrity(ctx, params),
    tallyElection: (electionId, params) => tallyElection(ctx, electionId, params),
    compareWithResults: (electionId, params) => compareWithResults(ctx, electionId, params),
    verifyElection: (electionId, params) => verifyElection(ctx, electionId, params),
    getElectionParams: (electionId, params) => getElectionParams(ctx, electionId, params),
    close: () => {
      pool.close();
      webSockets.close();
      tallies.clear();
    },
  };
}
