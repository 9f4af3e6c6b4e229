// Types of scripts/lib for TypeScript callers (end-to-end tests, benchmark).
import type { Readable } from 'node:stream';
import type { Interface } from 'node:readline';
import type { Genesis } from '@poa-vote/shared';

export declare const REPO_ROOT: string;
export declare const VALIDATOR_BIN: string;
export declare const VALIDATOR_CLI_LIB: string;
export declare const CLIENT_LIB: string;
export declare function requireBuilt(pathOrUrl: string): string;
/** The node flags a validator is deployed with (the Docker image's NODE_OPTIONS). */
export declare const VALIDATOR_NODE_ARGS: readonly string[];

export interface DevnetNode {
  id: string;
  keyFile: string;
  dataDir: string;
  host: string;
  rpcPort: number;
  p2pPort: number;
  rpcUrl: string;
  wsUrl: string;
  p2pAddr: string;
}

export interface DevnetLayout {
  dir: string;
  genesisFile: string;
  nodes: DevnetNode[];
}

export interface LayoutOptions {
  validators?: number;
  host?: string;
  rpcBasePort?: number;
  p2pBasePort?: number;
}

export declare function devnetLayout(dir: string, opts?: LayoutOptions): DevnetLayout;

export interface PrepareDevnetOptions extends LayoutOptions {
  dir: string;
  chainId?: number;
  slotMs?: number;
  genesisDelayMs?: number;
  quorum?: 'majority' | 'bft';
  fresh?: boolean;
}

export declare function prepareDevnet(
  opts: PrepareDevnetOptions,
): Promise<DevnetLayout & { genesis: Genesis; created: boolean; notes: string[] }>;

export {
  STOP_GRACE_MS,
  assertPortsFree,
  spawnValidator,
  stopValidators,
  type LaunchOptions as SpawnValidatorOptions,
  type ValidatorExit as ExitStatus,
  type ValidatorProcess,
} from '@poa-vote/test-utils';

export interface HealthAnswer {
  status: number;
  body: unknown;
}
export declare function fetchHealth(rpcUrl: string, opts?: { timeoutMs?: number }): Promise<HealthAnswer | undefined>;
export declare function waitForHealth(
  rpcUrl: string,
  opts?: { timeoutMs?: number; intervalMs?: number; healthy?: boolean; signal?: AbortSignal },
): Promise<HealthAnswer>;

export declare function formatLogLine(line: string, opts?: { color?: boolean }): string;
export declare function processPrefix(name: string, index: number, opts?: { width?: number; color?: boolean }): string;
export declare function pipeLines(
  stream: Readable,
  prefix: string,
  write: (text: string) => void,
  opts?: { pretty?: boolean; color?: boolean },
): Interface;
