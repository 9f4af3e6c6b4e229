import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isHex, keyPairFromSeed, parseGenesis } from '@poa-vote/shared';
import { runCli } from '../../../src/cli/program.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'poa-cli-program-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Run the CLI in-process with captured output. */
async function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(['node', 'poa-validator', ...args], {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    env,
  });
  return { code, out, err };
}

describe('poa-validator command line', () => {
  it('keygen + genesis + start config: a full set-up round trip', async () => {
    const pubs: string[] = [];
    for (let i = 1; i <= 3; i++) {
      const r = await cli(['keygen', '--out', join(dir, 'keys', `validator-${i}.json`)]);
      expect(r).toMatchObject({ code: 0, err: '' });
      pubs.push(r.out.trim());
      expect(isHex(pubs[i - 1], 32)).toBe(true);
    }
    expect(statSync(join(dir, 'keys', 'validator-1.json')).mode & 0o777).toBe(0o600);

    const g = await cli([
      'genesis',
      '--keys-dir',
      join(dir, 'keys'),
      '--chain-id',
      '1337',
      '--genesis-time',
      'now+2s',
      '--out',
      join(dir, 'genesis.json'),
    ]);
    expect(g.code).toBe(0);
    expect(g.out).toMatch(
      /chainId 1337, 3 authorities \(validator-1, validator-2, validator-3\), quorum majority, slot 1000 ms/,
    );
    const genesis = parseGenesis(JSON.parse(readFileSync(join(dir, 'genesis.json'), 'utf8')));
    expect(genesis.authorities.map((a) => a.publicKey)).toEqual(pubs);

    // Re-running keygen must not destroy a key.
    const again = await cli(['keygen', '--out', join(dir, 'keys', 'validator-1.json')]);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/already exists; refusing to overwrite/);
    const reuse = await cli(['keygen', '--out', join(dir, 'keys', 'validator-1.json'), '--reuse']);
    expect(reuse).toMatchObject({ code: 0, out: `${pubs[0]}\n` });
  });

  it('keygen without --out prints a key pair', async () => {
    const r = await cli(['keygen']);
    expect(r.code).toBe(0);
    const kp = JSON.parse(r.out) as { privateKey: `0x${string}`; publicKey: string };
    expect(keyPairFromSeed(kp.privateKey).publicKey).toBe(kp.publicKey);
  });

  it('genesis without --out prints the document; --authority is repeatable', async () => {
    const a = JSON.parse((await cli(['keygen'])).out) as { publicKey: string };
    const b = JSON.parse((await cli(['keygen'])).out) as { publicKey: string };
    const r = await cli([
      'genesis',
      '--authority',
      `n1:${a.publicKey}:North`,
      '--authority',
      `n2:${b.publicKey}`,
      '--chain-id',
      '9',
      '--genesis-time',
      '1000',
      '--quorum',
      'bft',
      '--slot-ms',
      '250',
    ]);
    expect(r.code).toBe(0);
    expect(parseGenesis(JSON.parse(r.out))).toMatchObject({
      chainId: 9,
      genesisTime: 1000,
      quorum: 'bft',
      slotDurationMs: 250,
      authorities: [{ id: 'n1', name: 'North' }, { id: 'n2' }],
    });
  });

  it('exits 2 with a message naming the problem on bad arguments', async () => {
    const noChain = await cli(['genesis', '--keys-dir', join(dir, 'keys')]);
    expect(noChain).toMatchObject({ code: 2, out: '' });
    expect(noChain.err).toBe('error: --chain-id is required\n');
    const badQuorum = await cli(['genesis', '--keys-dir', join(dir, 'keys'), '--chain-id', '1', '--quorum', 'most']);
    expect(badQuorum.code).toBe(2);
    expect(badQuorum.err).toMatch(/--quorum.*most/);
    expect((await cli(['frobnicate'])).code).toBe(2);
    expect((await cli(['start', '--no-such-flag'])).code).toBe(2);
  });

  it('start exits 2 on a bad configuration before loading the node, naming flag and env sources', async () => {
    const r = await cli(['start', '--genesis', join(dir, 'genesis.json'), '--rpc-port', 'http'], {
      POA_KEY_FILE: join(dir, 'keys', 'validator-1.json'),
      POA_LOG_LEVEL: 'verbose',
    });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error: invalid configuration:\n/);
    expect(r.err).toMatch(/--rpc-port \(flag\): must be an integer/);
    expect(r.err).toMatch(/POA_LOG_LEVEL \(env\): must be one of/);
  });

  it('start exits 2 without API tokens or --insecure-open-writes, naming both settings', async () => {
    const r = await cli([
      'start',
      '--genesis',
      join(dir, 'genesis.json'),
      '--key',
      join(dir, 'keys', 'validator-1.json'),
    ]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--api-tokens-file \/ POA_API_TOKENS_FILE/);
    expect(r.err).toMatch(/--insecure-open-writes \/ POA_INSECURE_OPEN_WRITES=1/);
  });

  it('api-token prints a name:token line for the tokens file', async () => {
    const r = await cli(['api-token', '--name', 'backend-1']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^backend-1:[A-Za-z0-9_-]{43}\n$/);
    expect((await cli(['api-token', '--name', 'bad name'])).code).toBe(2);
    expect((await cli(['api-token'])).code).toBe(2);
  });

  it('--help exits 0', async () => {
    const r = await cli(['start', '--help']);
    expect(r.code).toBe(0);
    // Commander wraps descriptions to the terminal width: compare with whitespace collapsed.
    const help = r.out.replace(/\s+/g, ' ');
    expect(help).toMatch(/--genesis <file> [^-]*env POA_GENESIS/);
    expect(help).toMatch(/--rpc-port <port> [^[]*\[env POA_RPC_PORT, default 8001\]/);
    expect(help).toMatch(/--api-tokens-file <file> .*env POA_API_TOKENS_FILE/);
    expect(help).toMatch(/--insecure-open-writes INSECURE/);
  });
});
