/** One log line per core event worth a line (delivered events, in step order). */
import type { CoreEvent } from '../consensus/index.js';
import type { Logger } from '../util/logger.js';

export function logCoreEvent(log: Logger, e: CoreEvent): void {
  switch (e.type) {
    case 'finalized':
      log.debug({ height: e.block.header.height, hash: e.block.hash, txs: e.block.transactions.length }, 'finalized');
      return;
    case 'recovered':
      log.info({ peers: e.peers, entries: e.entries }, 'pool recovered from every peer: vouching for votes again');
      return;
    case 'evidence':
      log.warn({ evidence: e.evidence }, 'equivocation evidence');
      return;
    case 'invalid-message':
      log.debug({ from: e.from, code: e.code, msg: e.message }, 'invalid message');
      return;
    case 'sync-needed':
      log.info({ peer: e.peer, fromHeight: e.fromHeight }, 'syncing');
      return;
    case 'proposed':
      log.debug({ slot: e.slot, height: e.block.header.height, txs: e.block.transactions.length }, 'proposed');
      return;
    case 'polka':
    case 'tx-rejected':
    case 'tx-replicated':
      return;
    default: {
      const unhandled: never = e;
      log.warn({ event: unhandled }, 'unknown core event');
    }
  }
}
