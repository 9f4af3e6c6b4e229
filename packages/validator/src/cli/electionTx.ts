/**
 * `poa-validator election`: the election operator's signed configuration transaction
 * (docs/ELECTIONS.md, PROTOCOL.md section 16), printed as the `{from, to, data}` to send with
 * eth_sendTransaction, or sent to a validator with --submit.
 */
import {
  CONFIG_TYPE,
  type Genesis,
  ProtocolError,
  Signer,
  type Transaction,
  parseElectionConfig,
  signElectionTx,
} from '@poa-vote/shared';
import { CliError, CliErrorCode } from './errors.js';
import { readGenesisFile } from './genesisBuilder.js';
import { readKeyFile } from './keyFile.js';

/** Inputs of `election`, as strings from the command line. */
export interface ElectionArgs {
  genesis?: string;
  key?: string;
  id?: string;
  candidates?: string;
  format?: string;
  minSelections?: string;
  maxSelections?: string;
  open?: string;
  close?: string;
  dkgPhaseBlocks?: string;
}

/** The flag of each configuration field, for error messages. */
const FLAGS: Record<string, string> = {
  electionId: '--id',
  candidates: '--candidates',
  ballotFormat: '--format',
  minSelections: '--min-selections',
  maxSelections: '--max-selections',
  openHeight: '--open',
  closeHeight: '--close',
  dkgPhaseBlocks: '--dkg-phase-blocks',
};

function usage(message: string): never {
  throw new CliError(CliErrorCode.USAGE, message);
}

function int(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim())) usage(`${flag} must be a non-negative integer, got ${JSON.stringify(value)}`);
  return Number(value);
}

/** The signed configuration transaction; errors name the flag at fault. */
export function buildElectionTx(args: ElectionArgs): { tx: Transaction; genesis: Genesis } {
  if (args.genesis === undefined) usage('--genesis is required');
  if (args.key === undefined) usage('--key (the election operator key file from keygen) is required');
  if (args.id === undefined) usage('--id is required');
  if (args.candidates === undefined) usage('--candidates a,b,c is required');
  const genesis = readGenesisFile(args.genesis);
  const key = readKeyFile(args.key);
  if (genesis.electionOperator === undefined)
    usage(`the genesis ${args.genesis} names no electionOperator (genesis --election-operator <publicKey>)`);
  if (genesis.electionOperator !== key.publicKey)
    usage(`--key ${args.key} is not the genesis electionOperator ${genesis.electionOperator}`);
  const body: Record<string, unknown> = {
    type: CONFIG_TYPE,
    v: 1,
    electionId: args.id,
    candidates: args.candidates.split(',').map((c) => c.trim()),
    ballotFormat: args.format ?? 'encrypted',
    openHeight: int(args.open, '--open'),
    closeHeight: int(args.close, '--close'),
  };
  const optional: [string, string | undefined, string][] = [
    ['minSelections', args.minSelections, '--min-selections'],
    ['maxSelections', args.maxSelections, '--max-selections'],
    ['dkgPhaseBlocks', args.dkgPhaseBlocks, '--dkg-phase-blocks'],
  ];
  for (const [name, value, flag] of optional) if (value !== undefined) body[name] = int(value, flag);
  try {
    const config = parseElectionConfig(body);
    return { tx: signElectionTx(genesis, new Signer(key.privateKey), 'election', config.electionId, config), genesis };
  } catch (err) {
    if (err instanceof ProtocolError) {
      const field = String(err.data?.field ?? '')
        .replace(/^config\./, '')
        .replace(/\[\d+\]$/, '');
      usage(`${FLAGS[field] ?? field}: ${err.message.replace(/^[^:]*: /, '')}`);
    }
    throw err;
  }
}

/** Send the transaction to a validator's JSON-RPC endpoint; returns its hash or throws with the refusal. */
export async function submitElectionTx(rpcUrl: string, tx: Transaction, token?: string): Promise<string> {
  const res = await fetch(new URL('/rpc', rpcUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_sendTransaction', params: [tx] }),
  });
  const body = (await res.json()) as { result?: string; error?: { message: string; data?: unknown } };
  if (body.result !== undefined) return body.result;
  throw new Error(
    `the validator refused the configuration: ${body.error?.message ?? res.status} ${JSON.stringify(body.error?.data ?? '')}`,
  );
}
