/** `poa-validator election`: the operator's signed configuration, and errors naming the flag. */
import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ElectionRegistry, generateKeyPair, parseGenesis, txHash } from '@poa-vote/shared';
import { buildElectionTx } from '../../../src/cli/electionTx.js';

describe('election command', () => {
  const dir = mkdtempSync(join(tmpdir(), 'election-cli-'));
  const v1 = generateKeyPair();
  const op = generateKeyPair();
  const genesis = {
    chainId: 5,
    genesisTime: 0,
    authorities: [{ id: 'validator-1', publicKey: v1.publicKey }],
    electionOperator: op.publicKey,
  };
  writeFileSync(join(dir, 'genesis.json'), JSON.stringify(genesis));
  writeFileSync(join(dir, 'op.json'), JSON.stringify(op));
  writeFileSync(join(dir, 'v1.json'), JSON.stringify(v1));
  const base = { genesis: join(dir, 'genesis.json'), key: join(dir, 'op.json'), id: '7', candidates: 'alice,bob' };

  it('signs a configuration the election rules accept', () => {
    const { tx } = buildElectionTx({ ...base, open: '10', close: '20' });
    expect(tx.from).toBe('@poa/election');
    expect(tx.to).toBe('election-7');
    const r = new ElectionRegistry(parseGenesis(genesis));
    expect(() => r.check(tx, txHash(tx), 1)).not.toThrow();
  });

  it('names the flag at fault', () => {
    expect(() => buildElectionTx({ ...base, open: '10', close: '5' })).toThrow(/^--close: must be an integer/);
    expect(() => buildElectionTx({ ...base, candidates: 'a,a', open: '1', close: '5' })).toThrow(/^--candidates:/);
    expect(() => buildElectionTx({ ...base, key: join(dir, 'v1.json'), open: '1', close: '5' })).toThrow(
      /not the genesis electionOperator/,
    );
    expect(() => buildElectionTx({ ...base, open: 'soon', close: '5' })).toThrow(/--open must be/);
  });
});
