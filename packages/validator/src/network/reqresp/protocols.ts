/** Request/response protocol ids, namespaced by chain id: /poa-evote/<chainId>/<method>/1. */

export enum ReqRespMethod {
  /** {fromHeight, max} -> FinalizedBlock[] */
  sync = 'sync',
  /** {hash} -> Block | null */
  block = 'block',
  /** One directed consensus message, no response. */
  direct = 'direct',
  /** A long-lived stream of transaction batches and acknowledgements (reqresp/channel.ts). */
  channel = 'channel',
  /** {version: 1} -> the state at the finalized head, streamed in frames (reqresp/snapshot.ts). */
  snapshot = 'snapshot',
}

/** The libp2p protocol id of a method on a chain. */
export function protocolId(chainId: number, method: ReqRespMethod): string {
  return `/poa-evote/${chainId}/${method}/1`;
}
