/** The election rules (PROTOCOL.md section 16): configuration, control transactions, phases, proofs. */
import { describe, expect, it } from '@jest/globals';
import {
  type Block,
  type ElectionRegistry as Registry,
  type Genesis,
  type StateEntry,
  type TrusteeKeyMessage,
  type TrusteeSecret,
  type Transaction,
  COMPLAINTS_TYPE,
  CONFIG_TYPE,
  ElectionRegistry,
  LtHash,
  ProtocolError,
  StateCommitment,
  Signer,
  ballotToData,
  dkgRound1,
  electionTxSigningBytes,
  encryptBallot,
  generateKeyPair,
  genesisHash,
  makeTrusteeKey,
  parseElectionConfig,
  parseGenesis,
  partialDecrypt,
  finalizeKey,
  seededRng,
  signElectionTx,
  txHash,
} from '../../../src/index.js';

const keys = [1, 2, 3].map(() => generateKeyPair());
const op = generateKeyPair();
const base = {
  chainId: 9,
  genesisTime: 0,
  authorities: keys.map((k, i) => ({ id: `validator-${i + 1}`, publicKey: k.publicKey })),
};
const genesis: Genesis = parseGenesis({ ...base, electionOperator: op.publicKey });
const operator = new Signer(op.privateKey);
const signers = keys.map((k) => new Signer(k.privateKey));
const ids = genesis.authorities.map((a) => a.id);

const config = (over: Record<string, unknown> = {}) => ({
  type: CONFIG_TYPE,
  v: 1,
  electionId: 'e1',
  candidates: ['a', 'b', 'c'],
  ballotFormat: 'encrypted',
  minSelections: 1,
  maxSelections: 1,
  openHeight: 10,
  closeHeight: 20,
  dkgPhaseBlocks: 5,
  ...over,
});

/** When set, every block applied through block() is recorded here. */
let recording: Transaction[][] | undefined;

/** Apply one block of transactions at the registry's next height, each checked first. */
function block(r: Registry, txs: Transaction[]): void {
  recording?.push(txs);
  const height = r.height + 1;
  for (const tx of txs) r.check(tx, txHash(tx), height);
  r.apply({ header: { height }, transactions: txs } as unknown as Block);
}

function errorOf(f: () => void): ProtocolError {
  try {
    f();
  } catch (e) {
    if (e instanceof ProtocolError) return e;
    throw e;
  }
  throw new Error('expected a ProtocolError');
}

/** Drive an election to `ready`; returns the trustee secrets. */
function keyed(r: Registry, missing?: number): TrusteeSecret[] {
  block(r, [signElectionTx(genesis, operator, 'election', 'e1', config())]);
  const e = r.get('e1');
  const setup = e?.setup;
  if (setup === undefined) throw new Error('no setup');
  const rng = seededRng('registry-test');
  const made = [0, 1, 2].map((i) => makeTrusteeKey(setup, i + 1, rng));
  block(
    r,
    made
      .filter((_, i) => i !== missing)
      .map((m, i) => signElectionTx(genesis, signers[i] ?? operator, 'dkg-key', 'e1', m.message, ids[i])),
  );
  if (missing !== undefined) return made.map((m) => m.secret);
  const msgs: TrusteeKeyMessage[] = made.map((m) => m.message);
  block(
    r,
    [0, 1, 2].map((i) =>
      signElectionTx(genesis, signers[i] ?? operator, 'dkg-dealing', 'e1', dkgRound1(setup, i + 1, msgs, rng), ids[i]),
    ),
  );
  block(
    r,
    [0, 1, 2].map((i) =>
      signElectionTx(
        genesis,
        signers[i] ?? operator,
        'dkg-complaints',
        'e1',
        { type: COMPLAINTS_TYPE, v: 1, trustee: i + 1, complaints: [] },
        ids[i],
      ),
    ),
  );
  return made.map((m) => m.secret);
}

describe('election configuration', () => {
  it('is validated field by field', () => {
    expect(parseElectionConfig(config()).dkgPhaseBlocks).toBe(5);
    expect(errorOf(() => parseElectionConfig(config({ closeHeight: 10 }))).data?.field).toBe('config.closeHeight');
    expect(errorOf(() => parseElectionConfig(config({ candidates: ['a', 'a'] }))).data?.field).toBe(
      'config.candidates[1]',
    );
    expect(errorOf(() => parseElectionConfig(config({ ballotFormat: 'plain', maxSelections: 2 }))).message).toMatch(
      /one candidate/,
    );
    expect(errorOf(() => parseElectionConfig(config({ extra: 1 }))).data?.field).toBe('config.extra');
  });

  it('leaves the genesis hash of a genesis without an operator unchanged, and hashes the operator when present', () => {
    const plain = parseGenesis(base);
    expect(plain.electionOperator).toBeUndefined();
    expect(genesisHash(plain)).not.toBe(genesisHash(genesis));
    expect(genesisHash(parseGenesis({ ...base }))).toBe(genesisHash(plain));
    expect(() => parseGenesis({ ...base, electionOperator: keys[0]?.publicKey })).toThrow(/not be an authority key/);
  });

  it('must be signed by the operator for this chain, election and role', () => {
    const r = new ElectionRegistry(genesis);
    const tx = signElectionTx(genesis, operator, 'election', 'e1', config());
    expect(() => r.check(tx, txHash(tx), 1)).not.toThrow();
    const other = signElectionTx({ chainId: 10 }, operator, 'election', 'e1', config());
    expect(errorOf(() => r.check(other, txHash(other), 1)).message).toMatch(/election operator does not verify/);
    const moved = { ...tx, to: 'election-e2' };
    expect(errorOf(() => r.check(moved, txHash(moved), 1)).code).toBe('ELECTION_TX_INVALID');
    const byAuthority = signElectionTx(genesis, signers[0] ?? operator, 'election', 'e1', config());
    expect(() => r.check(byAuthority, txHash(byAuthority), 1)).toThrow(/election operator/);
    const late = signElectionTx(genesis, operator, 'election', 'e1', config({ openHeight: 3, closeHeight: 9 }));
    expect(errorOf(() => r.check(late, txHash(late), 3)).data?.field).toBe('config.openHeight');
    // The signed bytes are the domain-separated JCS of {domain, chainId, from, to, body}.
    expect(new TextDecoder().decode(electionTxSigningBytes(9, '@poa/election', 'election-e1', { x: 1 }))).toBe(
      '{"body":{"x":1},"chainId":9,"domain":"poa-evote/election-tx/v1","from":"@poa/election","to":"election-e1"}',
    );
  });

  it('refuses reserved voter ids that name no statement, and configurations on chains without an operator', () => {
    const r = new ElectionRegistry(genesis);
    const odd = { from: '@poa/whatever', to: 'election-e1', data: 'x' };
    expect(errorOf(() => r.check(odd, txHash(odd), 1)).code).toBe('ELECTION_TX_INVALID');
    const none = new ElectionRegistry(parseGenesis(base));
    const tx = signElectionTx(genesis, operator, 'election', 'e1', config());
    expect(errorOf(() => none.check(tx, txHash(tx), 1)).message).toMatch(/no electionOperator/);
    // Opaque votes of unconfigured elections pass as before.
    const vote = { from: 'voter-1', to: 'election-x', data: 'anything' };
    expect(() => none.check(vote, txHash(vote), 1)).not.toThrow();
  });
});

describe('encrypted election phases', () => {
  it('keys, dealings, complaints, ready, tallying, decrypted; each statement only in its phase', () => {
    const r = new ElectionRegistry(genesis);
    const secrets = keyed(r);
    const e = r.get('e1');
    expect(e?.phase).toBe('ready');
    const params = e?.params;
    const setup = e?.setup;
    if (params === undefined || setup === undefined) throw new Error('not keyed');
    // A key now is out of phase.
    const lateKey = signElectionTx(
      genesis,
      signers[0] ?? operator,
      'dkg-key',
      'e1',
      makeTrusteeKey(setup, 1).message,
      ids[0],
    );
    expect(errorOf(() => r.check(lateKey, txHash(lateKey), r.height + 1)).message).toMatch(/phase ready/);
    while (r.height + 1 < 10) block(r, []);
    const ballots = [0, 2, 2].map((c, v) => ({
      from: `v${v}`,
      to: 'election-e1',
      data: ballotToData(encryptBallot(params, `v${v}`, c, seededRng(`b${v}`))),
    }));
    block(r, ballots);
    // Tampering with a ballot is refused, naming the proof.
    const flipped = JSON.parse(ballots[0]?.data ?? '{}') as { selections: { proof: { c: string }[] }[] };
    const first = flipped.selections[1]?.proof[0];
    if (first) first.c = `0x${'00'.repeat(16)}`;
    const bad = { from: 'v0', to: 'election-e1', data: JSON.stringify(flipped) };
    expect(errorOf(() => r.check(bad, txHash(bad), r.height + 1)).data?.proof).toBe('ballot.selections[1].proof');
    expect(r.expired(bad)).toBeUndefined();
    while (r.height + 1 < 20) block(r, []);
    expect(r.get('e1')?.phase).toBe('tallying');
    expect(r.expired(bad)).toMatch(/closed/);
    const late = { from: 'v8', to: 'election-e1', data: ballots[0]?.data ?? '' };
    expect(errorOf(() => r.check(late, txHash(late), r.height + 1)).message).toMatch(/not 20/);
    const aggregate = r.get('e1')?.aggregate;
    if (aggregate === undefined) throw new Error('no aggregate');
    const keysOnChain = (r.get('e1')?.keys ?? []).filter((k) => k !== undefined);
    const dealings = (r.get('e1')?.dealings ?? []).filter((d) => d !== undefined);
    const share = (i: number) => {
      const s = finalizeKey(setup, keysOnChain, dealings, [], secrets[i]).share;
      if (s === undefined) throw new Error('no share');
      return s;
    };
    const p0 = partialDecrypt(params, share(0), aggregate, seededRng('p0'));
    // Trustee 2 signing trustee 1's partial is refused; so is a partial with an altered share.
    const wrong = signElectionTx(genesis, signers[1] ?? operator, 'partial', 'e1', p0, ids[1]);
    expect(errorOf(() => r.check(wrong, txHash(wrong), r.height + 1)).message).toMatch(/trustee must be 2/);
    const altered = structuredClone(p0);
    const d0 = altered.shares[0];
    const d1 = altered.shares[1];
    if (d0 && d1) d0.d = d1.d;
    const forged = signElectionTx(genesis, signers[0] ?? operator, 'partial', 'e1', altered, ids[0]);
    const err = errorOf(() => r.check(forged, txHash(forged), r.height + 1));
    expect(err.code).toBe('DECRYPTION_BAD_PROOF');
    expect(err.data?.proof).toBe('partial.shares[0].proof');
    block(r, [signElectionTx(genesis, signers[0] ?? operator, 'partial', 'e1', p0, ids[0])]);
    expect(r.get('e1')?.phase).toBe('tallying');
    const p2 = partialDecrypt(params, share(2), aggregate, seededRng('p2'));
    block(r, [signElectionTx(genesis, signers[2] ?? operator, 'partial', 'e1', p2, ids[2])]);
    const done = r.get('e1');
    expect(done?.phase).toBe('decrypted');
    expect(done?.counts).toEqual([1, 0, 2]);
    expect(done?.decryptedWith).toEqual([1, 3]);
    expect(r.countsByName(done ?? ({} as never))).toEqual({ a: 1, b: 0, c: 2 });
  });

  it('goes on without a trustee whose key misses the key phase: 2 of 3 deal, hold shares and decrypt', () => {
    const r = new ElectionRegistry(genesis);
    const secrets = keyed(r, 2);
    const e = r.get('e1');
    const setup = e?.setup;
    if (e === undefined || setup === undefined) throw new Error('not configured');
    expect(e.phase).toBe('keys');
    // The deadline is a height (keys phase from block 2, dkgPhaseBlocks 5): the phase ends after block 6.
    while (r.height < 5) block(r, []);
    expect(r.get('e1')?.phase).toBe('keys');
    block(r, []);
    expect(r.get('e1')?.phase).toBe('dealings');
    expect(r.get('e1')?.participants).toEqual([1, 2]);
    expect(r.get('e1')?.keysClosedHeight).toBe(7);
    // Trustee 3's key, now late, is refused and dropped from pools; so is a dealing from it.
    const late = makeTrusteeKey(setup, 3, seededRng('late'));
    const lateKey = signElectionTx(genesis, signers[2] ?? operator, 'dkg-key', 'e1', late.message, ids[2]);
    expect(errorOf(() => r.check(lateKey, txHash(lateKey), r.height + 1)).message).toMatch(
      /key phase ended before block 7: the late key of trustee 3 is refused/,
    );
    expect(r.expired(lateKey)).toMatch(/no longer accepted/);
    const keysOnChain = (r.get('e1')?.keys ?? []).filter((k) => k !== undefined);
    expect(keysOnChain.map((k) => k.trustee)).toEqual([1, 2]);
    const rng = seededRng('dealings');
    const dealing3 = dkgRound1(setup, 3, [...keysOnChain, late.message], rng);
    const excluded = signElectionTx(genesis, signers[2] ?? operator, 'dkg-dealing', 'e1', dealing3, ids[2]);
    expect(errorOf(() => r.check(excluded, txHash(excluded), r.height + 1)).message).toMatch(
      /trustee 3 published no key .* takes no part in the ceremony/,
    );
    expect(r.expired(excluded)).toMatch(/takes no part/);
    const dealings = [0, 1].map((i) => dkgRound1(setup, i + 1, keysOnChain, rng));
    expect(dealings[0]?.shares.map((x) => x.recipient)).toEqual([1, 2]);
    block(
      r,
      [0, 1].map((i) => signElectionTx(genesis, signers[i] ?? operator, 'dkg-dealing', 'e1', dealings[i], ids[i])),
    );
    expect(r.get('e1')?.phase).toBe('complaints');
    block(
      r,
      [0, 1].map((i) =>
        signElectionTx(
          genesis,
          signers[i] ?? operator,
          'dkg-complaints',
          'e1',
          { type: COMPLAINTS_TYPE, v: 1, trustee: i + 1, complaints: [] },
          ids[i],
        ),
      ),
    );
    const ready = r.get('e1');
    expect(ready?.phase).toBe('ready');
    expect(ready?.qualified).toEqual([1, 2]);
    expect(ready?.disqualified).toEqual([{ dealer: 3, reason: 'no election key' }]);
    const params = ready?.params;
    if (params === undefined) throw new Error('no key');
    while (r.height + 1 < 10) block(r, []);
    block(
      r,
      [1, 0, 1, 2].map((c, v) => ({
        from: `v${v}`,
        to: 'election-e1',
        data: ballotToData(encryptBallot(params, `v${v}`, c, seededRng(`b${v}`))),
      })),
    );
    while (r.height + 1 < 20) block(r, []);
    const aggregate = r.get('e1')?.aggregate;
    if (aggregate === undefined) throw new Error('no aggregate');
    const onChain = (r.get('e1')?.dealings ?? []).filter((d) => d !== undefined);
    const share = (i: number) => {
      const sh = finalizeKey(setup, keysOnChain, onChain, [], secrets[i]).share;
      if (sh === undefined) throw new Error('no share');
      return sh;
    };
    // The excluded trustee holds no share: its partial is refused before any proof is checked.
    expect(() => finalizeKey(setup, keysOnChain, onChain, [], secrets[2])).toThrow(/takes no part/);
    const forged = { ...partialDecrypt(params, share(1), aggregate, seededRng('p3')), trustee: 3 };
    const p3 = signElectionTx(genesis, signers[2] ?? operator, 'partial', 'e1', forged, ids[2]);
    expect(errorOf(() => r.check(p3, txHash(p3), r.height + 1)).message).toMatch(
      /trustee 3 published no key .* so a partial decryption from it is refused/,
    );
    block(
      r,
      [0, 1].map((i) =>
        signElectionTx(
          genesis,
          signers[i] ?? operator,
          'partial',
          'e1',
          partialDecrypt(params, share(i), aggregate, seededRng(`p${i}`)),
          ids[i],
        ),
      ),
    );
    const done = r.get('e1');
    expect(done?.phase).toBe('decrypted');
    expect(done?.counts).toEqual([1, 2, 1]);
    expect(done?.decryptedWith).toEqual([1, 2]);
  });

  it('fails when fewer than threshold trustees publish their keys by the deadline', () => {
    const r = new ElectionRegistry(genesis);
    block(r, [signElectionTx(genesis, operator, 'election', 'e1', config())]);
    const setup = r.get('e1')?.setup;
    if (setup === undefined) throw new Error('no setup');
    const only = makeTrusteeKey(setup, 2, seededRng('one')).message;
    block(r, [signElectionTx(genesis, signers[1] ?? operator, 'dkg-key', 'e1', only, ids[1])]);
    while (r.height < 5) block(r, []);
    expect(r.get('e1')?.phase).toBe('keys');
    block(r, []);
    expect(r.get('e1')?.phase).toBe('failed');
    expect(r.get('e1')?.failure).toMatch(
      /only 1 of 3 trustee keys by block 6 \(the threshold is 2\); none from validator-1, validator-3/,
    );
    // A key after the failure is refused too.
    const k1 = makeTrusteeKey(setup, 1, seededRng('k1')).message;
    const tx = signElectionTx(genesis, signers[0] ?? operator, 'dkg-key', 'e1', k1, ids[0]);
    expect(errorOf(() => r.check(tx, txHash(tx), r.height + 1)).message).toMatch(/phase failed/);
  });

  it('fails when fewer than threshold participants deal by the deadline, naming only the participants', () => {
    const r = new ElectionRegistry(genesis);
    keyed(r, 2);
    while (r.height < 6) block(r, []);
    const e = r.get('e1');
    const setup = e?.setup;
    if (setup === undefined) throw new Error('no setup');
    expect(e?.phase).toBe('dealings');
    const keysOnChain = (e?.keys ?? []).filter((k) => k !== undefined);
    const d1 = dkgRound1(setup, 1, keysOnChain, seededRng('d1'));
    block(r, [signElectionTx(genesis, signers[0] ?? operator, 'dkg-dealing', 'e1', d1, ids[0])]);
    while (r.get('e1')?.phase === 'dealings') block(r, []);
    expect(r.height).toBe(11);
    expect(r.get('e1')?.phase).toBe('failed');
    expect(r.get('e1')?.failure).toBe('only 1 dealings by block 11 (the threshold is 2); none from validator-2');
  });

  it('counts a plain configured election against its list, outside its window nothing', () => {
    const r = new ElectionRegistry(genesis);
    block(r, [
      signElectionTx(
        genesis,
        operator,
        'election',
        'p',
        config({ electionId: 'p', ballotFormat: 'plain', openHeight: 3 }),
      ),
    ]);
    const early = { from: 'x', to: 'election-p', data: '{"candidate_id":"a"}' };
    expect(errorOf(() => r.check(early, txHash(early), 2)).message).toMatch(/blocks 3 to 19/);
    block(r, []);
    block(r, [
      early,
      { from: 'y', to: 'election-p', data: '{"candidate_id":"zed"}' },
      { from: 'z', to: 'election-p', data: 'opaque' },
    ]);
    const e = r.get('p');
    expect(e?.ballots).toBe(3);
    expect(Object.fromEntries(e?.plainCounts ?? [])).toEqual({ a: 1, other: 1, sealed: 1 });
    expect(r.phaseAt(e ?? ({} as never), 25)).toBe('closed');
  });
});

describe('registry snapshots', () => {
  it('restore a state from which the same blocks give the state a replay gives', () => {
    const r = new ElectionRegistry(genesis);
    const blocks: Transaction[][] = [];
    const snapshots: string[] = [];
    recording = blocks;
    try {
      // An encrypted election keyed by 2 of 3 (trustee 3 late), a plain one, votes of an unconfigured one.
      const secrets = keyed(r, 2);
      block(r, [
        signElectionTx(genesis, operator, 'election', 'p', config({ electionId: 'p', ballotFormat: 'plain' })),
        { from: 'x', to: 'election-free', data: 'opaque' },
      ]);
      while (r.get('e1')?.phase === 'keys') block(r, []);
      const setup = r.get('e1')?.setup;
      if (setup === undefined) throw new Error('no setup');
      const keysOnChain = (r.get('e1')?.keys ?? []).filter((k) => k !== undefined);
      const rng = seededRng('snap');
      block(
        r,
        [0, 1].map((i) =>
          signElectionTx(
            genesis,
            signers[i] ?? operator,
            'dkg-dealing',
            'e1',
            dkgRound1(setup, i + 1, keysOnChain, rng),
            ids[i],
          ),
        ),
      );
      block(
        r,
        [0, 1].map((i) =>
          signElectionTx(
            genesis,
            signers[i] ?? operator,
            'dkg-complaints',
            'e1',
            { type: COMPLAINTS_TYPE, v: 1, trustee: i + 1, complaints: [] },
            ids[i],
          ),
        ),
      );
      const params = r.get('e1')?.params;
      if (params === undefined) throw new Error('no key');
      while (r.height + 1 < 10) block(r, []);
      snapshots[r.height] = JSON.stringify(r.snapshot());
      block(r, [
        ...[2, 0].map((c, v) => ({
          from: `v${v}`,
          to: 'election-e1',
          data: ballotToData(encryptBallot(params, `v${v}`, c, seededRng(`s${v}`))),
        })),
        { from: 'y', to: 'election-p', data: '{"candidate_id":"b"}' },
      ]);
      snapshots[r.height] = JSON.stringify(r.snapshot());
      while (r.height + 1 < 20) block(r, []);
      const aggregate = r.get('e1')?.aggregate;
      const dealings = (r.get('e1')?.dealings ?? []).filter((d) => d !== undefined);
      if (aggregate === undefined) throw new Error('no aggregate');
      const partial = (i: number) => {
        const share = finalizeKey(setup, keysOnChain, dealings, [], secrets[i]).share;
        if (share === undefined) throw new Error('no share');
        return signElectionTx(
          genesis,
          signers[i] ?? operator,
          'partial',
          'e1',
          partialDecrypt(params, share, aggregate, seededRng(`sp${i}`)),
          ids[i],
        );
      };
      block(r, [partial(0)]);
      snapshots[r.height] = JSON.stringify(r.snapshot());
      block(r, [partial(1)]);
      block(r, []);
    } finally {
      recording = undefined;
    }
    expect(r.get('e1')?.counts).toEqual([1, 0, 1]);
    const final = JSON.stringify(r.snapshot());
    const heights = Object.keys(snapshots).map(Number);
    expect(heights.length).toBe(3);
    for (const h of heights) {
      const restored = ElectionRegistry.restore(genesis, JSON.parse(snapshots[h] ?? ''));
      expect(restored.height).toBe(h);
      for (const txs of blocks.slice(h)) block(restored, txs);
      expect(JSON.stringify(restored.snapshot())).toBe(final);
      expect(restored.get('e1')?.counts).toEqual([1, 0, 1]);
      expect(restored.get('e1')?.participants).toEqual([1, 2]);
      expect(Object.fromEntries(restored.get('p')?.plainCounts ?? [])).toEqual({ b: 1 });
      // The unconfigured election with a vote stays unconfigurable.
      const late = signElectionTx(genesis, operator, 'election', 'free', config({ electionId: 'free' }));
      expect(errorOf(() => restored.check(late, txHash(late), restored.height + 1)).message).toMatch(
        /already has votes/,
      );
    }

    // The registry's part of the state commitment (PROTOCOL.md 17.1): replaced block by block with
    // takeStateChanges(), it is the lattice of the final stateEntries(); each block reports only
    // the elections it changed; the entries, through JSON, restore the same registry.
    const replayed = new ElectionRegistry(genesis);
    const commitment = new StateCommitment();
    const changedPerBlock: string[][] = [];
    for (const txs of blocks) {
      block(replayed, txs);
      const changes = replayed.takeStateChanges();
      changedPerBlock.push(changes.map((e) => `${e.kind}:${(e as { election: string }).election}`));
      commitment.replace(changes);
    }
    const direct = new LtHash();
    for (const e of r.stateEntries()) direct.addEntry(e);
    expect(commitment.root()).toBe(direct.root());
    expect(r.stateEntries().map((e) => e.kind)).toEqual(['election', 'election', 'voted']);
    // The block of the two ballots and the plain vote changed e1 and p, nothing else; an empty block nothing.
    const ballots = blocks.findIndex((txs) => txs.some((tx) => tx.from === 'v0'));
    expect(changedPerBlock[ballots]).toEqual(['election:e1', 'election:p']);
    expect(changedPerBlock[ballots + 1]).toEqual([]);
    const entries = JSON.parse(JSON.stringify(r.stateEntries())) as StateEntry[];
    const back = ElectionRegistry.fromStateEntries(genesis, r.height, entries);
    expect(JSON.stringify(back.snapshot())).toBe(final);
    const wrongId = entries.map((e) => (e.kind === 'election' ? { ...e, election: 'other' } : e));
    expect(errorOf(() => ElectionRegistry.fromStateEntries(genesis, r.height, wrongId)).data?.field).toBe('electionId');
  });

  it('refuses a snapshot of another chain or of another kind, naming the field', () => {
    const snap = new ElectionRegistry(genesis).snapshot();
    expect(errorOf(() => ElectionRegistry.restore(genesis, { ...snap, chainId: 10 })).data?.field).toBe('chainId');
    expect(errorOf(() => ElectionRegistry.restore(genesis, { ...snap, type: 'x' })).data?.field).toBe('type');
    expect(errorOf(() => ElectionRegistry.restore(genesis, { ...snap, height: -1 })).data?.field).toBe('height');
    expect(errorOf(() => ElectionRegistry.restore(genesis, null)).data?.field).toBe('type');
  });
});

describe('a configuration and a vote of its election in one block', () => {
  it('applies the configuration after the vote: the vote is not part of the configured election', () => {
    const r = new ElectionRegistry(genesis);
    const vote = { from: 'early', to: 'election-q', data: '{"candidate_id":"a"}' };
    const cfg = signElectionTx(genesis, operator, 'election', 'q', config({ electionId: 'q', ballotFormat: 'plain' }));
    block(r, [cfg, vote]);
    expect(r.get('q')?.ballots).toBe(0);
    expect(r.get('q')?.plainCounts?.size).toBe(0);
  });
});

describe('the PROTOCOL.md 16.2 test vector', () => {
  it('signs the configuration with RFC 8032 test key 1 as documented', () => {
    const seed = '0x9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
    const cfg = config({
      electionId: '7',
      candidates: ['alice', 'bob'],
      openHeight: 100,
      closeHeight: 200,
      dkgPhaseBlocks: 20,
    });
    const tx = signElectionTx({ chainId: 1337 }, new Signer(seed), 'election', '7', cfg);
    expect(JSON.parse(tx.data).signature).toBe(
      '0xfe9e98a25511a43a8f61dcdae64167fe763fae6495c710335c7887b7a967663c45f1cb4d0e0b1b3e23cf4f77d43ac67cdf0f4599d6d1de2c6ede1dc34b1af40b',
    );
    expect(txHash(tx)).toBe('0x9c90f7ce8ef2580e2192aac188c657624871f12b0ba9bc65c8ab4a8f0731dbd3');
  });
});
