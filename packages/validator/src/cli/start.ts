/** Running a validator: create the node from validated options, report its ports, stop on signals. */
import { getHeapStatistics } from 'node:v8';
import { genesisHash } from '@poa-vote/shared';
import type { Logger } from '../util/logger.js';
import type { StartConfig } from './config.js';
import { applyHeapGrowingPercent } from './heapTuning.js';

/** What `start` needs from a running node. */
export interface RunningNode {
  close(): Promise<void>;
  readonly rpcPort: number;
  readonly p2pAddrs: string[];
  /** Read the API tokens file again; undefined when there is none. */
  reloadApiTokens?(reason?: string): { ok: boolean } | undefined;
}

/**
 * The V8 old-space limit a validator is run with (`node --max-old-space-size=256
 * --max-semi-space-size=8 --v8-pool-size=1`, set by the Docker image's NODE_OPTIONS and the devnet;
 * docs/DEPLOYMENT.md). Its live heap is ~70-80 MB and does not grow with the chain
 * (docs/PERFORMANCE.md); V8's default limit (4 GB on a 23.5 GB machine) lets garbage
 * accumulate to several hundred MB of RSS before it collects.
 */
export const VALIDATOR_HEAP_MB = 256;

/** Exit code after a storage failure (EX_SOFTWARE). */
export const FATAL_EXIT_CODE = 70;

/** Longest wait for a clean close after SIGINT/SIGTERM before giving up with exit code 1. */
export const CLOSE_TIMEOUT_MS = 15_000;

/** Start the validator node of a validated configuration and log where it listens. */
export async function startValidator(config: StartConfig, logger: Logger): Promise<RunningNode> {
  const { options, authority } = config;
  applyHeapGrowingPercent(config.heapGrowingPercent);
  const { genesis } = options;
  logger.info(
    {
      chainId: genesis.chainId,
      genesisHash: genesisHash(genesis),
      genesisTime: new Date(genesis.genesisTime).toISOString(),
      slotMs: genesis.slotDurationMs,
      authorities: genesis.authorities.length,
      quorum: genesis.quorum,
      dataDir: options.dataDir,
      peers: options.peers,
      // Compare with VALIDATOR_HEAP_MB: a limit in gigabytes means NODE_OPTIONS was not set.
      heapLimitMb: Math.round(getHeapStatistics().heap_size_limit / 2 ** 20),
      heapGrowingPercent: config.heapGrowingPercent,
    },
    'starting validator',
  );
  if (options.clockSkewMs !== 0)
    logger.warn({ clockSkewMs: options.clockSkewMs }, 'clock skew is set: for fault tests only');
  // Loaded lazily so keygen/genesis and config errors never pay for (or depend on) libp2p.
  const { ValidatorNode } = await import('../node/node.js');
  // A failed write means the node cannot promise durability: it has stopped; so does the process.
  const node: RunningNode = await ValidatorNode.init({
    ...options,
    logger,
    onFatal: () => process.exit(FATAL_EXIT_CODE),
  });
  logger.info(
    {
      nodeId: authority.id,
      rpc: `http://${options.rpcHost}:${node.rpcPort}`,
      rpcPort: node.rpcPort,
      p2p: node.p2pAddrs,
    },
    'validator started',
  );
  return node;
}

/**
 * Close the node on SIGINT/SIGTERM, then exit 0; exit 1 if the close fails or takes longer than
 * `timeoutMs`. A second signal while closing exits at once. Returns a function that uninstalls.
 */
export function stopOnSignals(
  node: RunningNode,
  logger: Logger,
  opts: { timeoutMs?: number; exit?: (code: number) => void } = {},
): () => void {
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  let closing = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (closing) {
      logger.warn({ signal }, 'second signal while closing: exiting now');
      exit(1);
      return;
    }
    closing = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error({ timeoutMs: opts.timeoutMs ?? CLOSE_TIMEOUT_MS }, 'close timed out');
      exit(1);
    }, opts.timeoutMs ?? CLOSE_TIMEOUT_MS);
    timer.unref();
    node.close().then(
      () => {
        clearTimeout(timer);
        logger.info('validator stopped');
        exit(0);
      },
      (err: unknown) => {
        clearTimeout(timer);
        logger.error({ err }, 'close failed');
        exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

/**
 * Read the API tokens file again on SIGHUP (revoking a token: remove its line, then
 * `kill -HUP <pid>`; the file is also re-read when it changes). Without a handler SIGHUP would
 * terminate the node. Returns a function that uninstalls.
 */
export function reloadOnHangup(node: RunningNode, logger: Logger): () => void {
  const onHangup = (): void => {
    const result = node.reloadApiTokens?.('SIGHUP');
    if (result === undefined) logger.info('SIGHUP: no API tokens file to reload');
  };
  process.on('SIGHUP', onHangup);
  return () => void process.off('SIGHUP', onHangup);
}
