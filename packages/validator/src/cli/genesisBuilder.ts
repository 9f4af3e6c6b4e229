/** Building a genesis document from command-line input (`poa-validator genesis`). */
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import {
  isHex,
  must,
  parseGenesis,
  ProtocolError,
  type Authority,
  type Genesis,
  type QuorumRule,
} from '@poa-vote/shared';
import { CliError, CliErrorCode } from './errors.js';
import { readJsonFile, writeNewFile } from './files.js';
import { keyPairFromJson } from './keyFile.js';

/** Inputs of `genesis`, as strings from the command line (numbers accepted from scripts). */
export interface GenesisArgs {
  /** `id:publicKey[:name]`, one per authority, in leader order. */
  authority?: string[];
  /** Directory of `<id>.json` key files (private or public-only), ordered by natural sort of id. */
  keysDir?: string;
  chainId?: string | number;
  /** Slot length in ms (default 1000). */
  slotMs?: string | number;
  /** Unix ms, `now`, or `now+N` with N in ms or with a unit (`now+10s`, `now+2m`). Default `now`. */
  genesisTime?: string | number;
  /** `majority` (default) or `bft`. */
  quorum?: string;
  /** Ed25519 public key (0x-hex) that may configure elections on chain (docs/ELECTIONS.md). */
  electionOperator?: string;
}

const ID_RE = /^[A-Za-z0-9._-]{1,64}$/;

function usage(message: string): never {
  throw new CliError(CliErrorCode.USAGE, message);
}

function integerArg(value: string | number, flag: string, min: number, max: number): number {
  const text = String(value).trim();
  const n = /^-?\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max)
    usage(`${flag} must be an integer from ${min} to ${max}, got ${JSON.stringify(String(value))}`);
  return n;
}

/** Parse `id:publicKey[:name]` (the name may itself contain colons). */
export function parseAuthoritySpec(spec: string): Authority {
  const [id = '', publicKey = '', ...rest] = spec.split(':');
  const bad: (why: string) => never = (why) =>
    usage(`--authority ${JSON.stringify(spec)}: ${why} (expected id:publicKey[:name])`);
  if (!ID_RE.test(id)) bad('id must be 1-64 characters [A-Za-z0-9._-]');
  const key = publicKey.toLowerCase();
  if (!isHex(key, 32)) bad('publicKey must be 32 bytes of 0x-hex (0x + 64 hex digits)');
  const name = rest.length > 0 ? rest.join(':') : id;
  if (name.length === 0 || name.length > 128) bad('name must be 1-128 characters');
  return { id, publicKey: key, name };
}

const UNIT_MS: Record<string, number> = { '': 1, ms: 1, s: 1000, m: 60_000 };

/** Genesis time in unix ms from `<ms>`, `now` or `now+N[ms|s|m]`. */
export function parseGenesisTime(value: string | number, now: number = Date.now()): number {
  const text = String(value).trim();
  if (/^\d+$/.test(text)) return integerArg(text, '--genesis-time', 0, Number.MAX_SAFE_INTEGER);
  const m = /^now(?:\+(\d+)(ms|s|m)?)?$/.exec(text);
  if (!m)
    usage(
      `--genesis-time must be unix milliseconds, "now" or "now+N" (N in ms, or with unit s/m: now+10s), got ${JSON.stringify(text)}`,
    );
  const offset = m[1] === undefined ? 0 : Number(m[1]) * must(UNIT_MS[m[2] ?? ''], 'time unit');
  if (!Number.isSafeInteger(offset) || offset > 366 * 24 * 3_600_000)
    usage(`--genesis-time offset must be at most one year, got ${JSON.stringify(text)}`);
  return now + offset;
}

/** Authorities from the `<id>.json` key files of a directory, in natural order of id. */
export function authoritiesFromKeysDir(dir: string): Authority[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  } catch (err) {
    usage(`--keys-dir ${dir}: cannot list directory: ${(err as Error).message}`);
  }
  if (files.length === 0) usage(`--keys-dir ${dir}: no <id>.json key files found`);
  files.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  return files.map((file) => {
    const id = basename(file, '.json');
    const path = join(dir, file);
    if (!ID_RE.test(id))
      usage(`--keys-dir: key file name ${path} must be <id>.json with an id of 1-64 characters [A-Za-z0-9._-]`);
    const { publicKey } = keyPairFromJson(readJsonFile(path, 'key file'), `key file ${path}`, {
      allowPublicOnly: true,
    });
    return { id, publicKey, name: id };
  });
}

/** A validated genesis from `genesis` command input; errors name the flag at fault. */
export function buildGenesis(args: GenesisArgs, now: number = Date.now()): Genesis {
  const specs = args.authority ?? [];
  if (specs.length > 0 && args.keysDir !== undefined)
    usage('give either --authority (repeatable) or --keys-dir, not both');
  let authorities: Authority[];
  if (specs.length > 0) authorities = specs.map(parseAuthoritySpec);
  else if (args.keysDir !== undefined) authorities = authoritiesFromKeysDir(args.keysDir);
  else usage('give the authorities with --authority id:publicKey[:name] (repeatable) or --keys-dir <dir>');
  if (args.chainId === undefined) usage('--chain-id is required');
  const chainId = integerArg(args.chainId, '--chain-id', 1, 2 ** 32);
  const slotDurationMs = integerArg(args.slotMs ?? 1000, '--slot-ms', 50, 3_600_000);
  const genesisTime = parseGenesisTime(args.genesisTime ?? 'now', now);
  const quorum = args.quorum ?? 'majority';
  if (quorum !== 'majority' && quorum !== 'bft')
    usage(`--quorum must be "majority" or "bft", got ${JSON.stringify(quorum)}`);
  try {
    return parseGenesis({
      chainId,
      genesisTime,
      slotDurationMs,
      authorities,
      quorum: quorum satisfies QuorumRule,
      ...(args.electionOperator !== undefined ? { electionOperator: args.electionOperator } : {}),
    });
  } catch (err) {
    // Duplicated ids or keys among the authorities land here, named by parseGenesis.
    if (err instanceof ProtocolError) usage(err.message);
    throw err;
  }
}

/** Text of a genesis file. */
export function formatGenesis(genesis: Genesis): string {
  return `${JSON.stringify(genesis, null, 2)}\n`;
}

/** Write a genesis file; refuses to overwrite unless `force`. */
export function writeGenesisFile(path: string, genesis: Genesis, opts: { force?: boolean | undefined } = {}): void {
  writeNewFile(path, formatGenesis(genesis), { force: opts.force });
}

/** Read and validate a genesis file; errors name the file and the bad field. */
export function readGenesisFile(path: string): Genesis {
  const json = readJsonFile(path, 'genesis file');
  try {
    return parseGenesis(json);
  } catch (err) {
    if (err instanceof ProtocolError)
      throw new CliError(CliErrorCode.FILE_INVALID, `genesis file ${path}: ${err.message}`);
    throw err;
  }
}
