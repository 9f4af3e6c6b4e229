/**
 * The face the node sees of the peer-to-peer network: consensus messages in and out, and the
 * two questions peers may ask it (finalized blocks for sync, candidate blocks by hash).
 */
import type { Block, FinalizedBlock, Hex } from '@poa-vote/shared';
import type { ConsensusMessage, Destination } from '../consensus/interface.js';

/** Inbound consensus message, already validated: sender authority index and the message. */
export type MessageHandler = (from: number, msg: ConsensusMessage) => void;

/** Answers a sync request from storage: finalized blocks fromHeight.., at most `max`. */
export type SyncRequestHandler = (fromHeight: number, max: number) => Promise<FinalizedBlock[]>;

/** Answers a block request: the candidate block with that hash, if this node has it. */
export type BlockRequestHandler = (hash: Hex) => Block | undefined;

/** What a validator node needs from its network layer. */
export interface INetwork {
  start(): Promise<void>;
  stop(): Promise<void>;
  listenAddrs(): string[];
  connectedAuthorities(): number[];
  send(to: Destination, msg: ConsensusMessage): void;
  onMessage(handler: MessageHandler): void;
  onSyncRequest(handler: SyncRequestHandler): void;
  onBlockRequest(handler: BlockRequestHandler): void;
  /** Score down an authority for a message the node or its consensus core refused with `code`. */
  penalize(from: number, code: string): void;
}

/** Stable codes of network-layer failures (options, frames, requests). */
export enum NetworkErrorCode {
  INVALID_OPTIONS = 'NETWORK_INVALID_OPTIONS',
  NOT_STARTED = 'NETWORK_NOT_STARTED',
  NOT_CONNECTED = 'NETWORK_NOT_CONNECTED',
  FRAME_TOO_LARGE = 'NETWORK_FRAME_TOO_LARGE',
  FRAME_MALFORMED = 'NETWORK_FRAME_MALFORMED',
  STREAM_ENDED = 'NETWORK_STREAM_ENDED',
  TIMEOUT = 'NETWORK_TIMEOUT',
  BAD_REQUEST = 'NETWORK_BAD_REQUEST',
  BAD_RESPONSE = 'NETWORK_BAD_RESPONSE',
  UNKNOWN_PEER = 'NETWORK_UNKNOWN_PEER',
}

/** A network-layer failure; `code` is stable, `message` names the problem. */
export class NetworkError extends Error {
  override readonly name = 'NetworkError';
  constructor(
    readonly code: NetworkErrorCode,
    message: string,
  ) {
    super(message);
  }
}
