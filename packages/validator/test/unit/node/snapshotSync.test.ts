/**
 * Snapshot sync in process (node/snapshotSync.ts, db/snapshot.ts): a node at genesis takes the
 * state of a peer's database only when it matches the stateRoot of a finalized header; a
 * tampered snapshot (a changed, missing or extra entry, a forged head) is refused and leaves no
 * entry behind, while the same code path accepts the honest one (the control). The backfill
 * stores the blocks below the snapshot, linked by hashes down to the genesis, and refuses a
 * tampered block. The peer is a fake network over a real (in-memory) ChainDb.
 */
import { describe, expect, it } from '@jest/globals';
import {
  type FinalizedBlock,
  StateCommitment,
  type StateEntry,
  type Transaction,
  emptyStateRoot,
  txHash,
} from '@poa-vote/shared';
import {
  clone,
  finalize,
  finalizedChain,
  fixtureStateRoot,
  leaderBlock,
  makeTestChain,
  recordingLogger,
} from '@poa-vote/test-utils';
import { ChainDb, ChainVerifier } from '../../../src/db/index.js';
import { MemoryKv } from '../../../src/db/kv/index.js';
import { Backfill, type SnapshotSyncOptions, syncFromSnapshot } from '../../../src/node/snapshotSync.js';
import type { SnapshotSink } from '../../../src/network/reqresp/snapshot.js';

// Three votes per block at most: the bound on a snapshot's entries is then small enough to test.
const chain = makeTestChain({ n: 3, limits: { maxTxPerBlock: 3 } });
const { genesis } = chain;
const HEIGHT = 6;
const vote = (i: number): Transaction => ({
  from: `voter-${i}`,
  to: `election-${1 + (i % 2)}`,
  data: JSON.stringify({ candidate_id: ['alice', 'bob', 'carol'][i % 3] }),
});
const blocks = finalizedChain(chain, HEIGHT, (h) => [vote(3 * h), vote(3 * h + 1), vote(3 * h + 2)]);
const top = blocks[HEIGHT - 1] as FinalizedBlock;
// Block HEIGHT + 1 commits to the state after HEIGHT in its header.
const binding = finalize(
  chain,
  leaderBlock(chain, {
    height: HEIGHT + 1,
    slot: top.block.header.slot + 1,
    parentHash: top.block.hash,
    transactions: [vote(100)],
  }),
);
const OPTS: SnapshotSyncOptions = { minHeight: 1, waitPeersMs: 0, bindTimeoutMs: 500 };

/**
 * A peer's database holding the chain, reopened once so that it computes its lattice at open;
 * `registryEntries`: the election registry's entries, put in the state by the last block.
 */
async function sourceDb(registryEntries: StateEntry[] = []): Promise<ChainDb> {
  const kv = new MemoryKv();
  const db = await ChainDb.inMemory(genesis, {}, kv);
  for (const fb of blocks)
    await db.apply([
      {
        kind: 'finalize',
        block: fb.block,
        certificate: fb.certificate,
        ...(fb === top && registryEntries.length > 0 ? { registryEntries } : {}),
      },
    ]);
  await db.close();
  return ChainDb.inMemory(genesis, {}, kv.reopen());
}

type Tamper = { entries?: (e: StateEntry[]) => StateEntry[]; head?: (fb: FinalizedBlock) => FinalizedBlock };

/** The network of a node whose only peer (0) serves `source`'s snapshot, altered by `tamper`; `bind` is block HEIGHT + 1. */
function peerNetwork(source: ChainDb, tamper: Tamper = {}, bind: FinalizedBlock = binding) {
  return {
    connectedAuthorities: () => [0],
    requestSnapshot: async (_peer: number, sink: SnapshotSink) => {
      const r = await source.openStateSnapshot();
      if (r === undefined) return { served: false, entries: 0, bytes: 0 };
      try {
        await sink.onHead(tamper.head ? tamper.head(clone(r.head)) : r.head);
        let n = 0;
        let first = true;
        for await (const batch of r.entries()) {
          const sent = tamper.entries && first ? tamper.entries(batch.map((e) => ({ ...e }))) : batch;
          first = false;
          n += sent.length;
          await sink.onEntries(sent);
        }
        return { served: true, entries: n, bytes: 0 };
      } finally {
        await r.close();
      }
    },
    requestBlocks: async (_peer: number, from: number, max: number) =>
      from === HEIGHT + 1 ? [bind] : source.getFinalizedRange(from, max),
  };
}

async function emptyNode(): Promise<{ db: ChainDb; kv: MemoryKv }> {
  const kv = new MemoryKv();
  return { db: await ChainDb.inMemory(genesis, {}, kv), kv };
}

describe('snapshot sync', () => {
  it('installs an honest snapshot: same head, results and commitment as the peer (the control)', async () => {
    const source = await sourceDb();
    expect(source.loadedCommitment.root()).toBe(fixtureStateRoot(top.block.hash));
    const { db, kv } = await emptyNode();
    const log = recordingLogger();
    const result = await syncFromSnapshot(genesis, db, peerNetwork(source), log, OPTS);
    expect(result).toMatchObject({ height: HEIGHT, peer: 0, entries: 3 * HEIGHT + 6 + 2 });
    await db.close();
    const node = await ChainDb.inMemory(genesis, {}, kv.reopen());
    expect(node.head()).toEqual(source.head());
    expect(node.loadedCommitment.root()).toBe(binding.block.header.stateRoot);
    for (const e of ['1', '2']) expect(await node.results(e)).toEqual(await source.results(e));
    expect(await node.voterTxs(['election-1\u0000voter-3'])).toEqual(
      await source.voterTxs(['election-1\u0000voter-3']),
    );
    expect(await node.backfillState()).toEqual({
      snapshotHeight: HEIGHT,
      lowest: HEIGHT,
      lowestParentHash: top.block.header.parentHash,
    });
  });

  const attacks: [string, Tamper, RegExp][] = [
    [
      'a changed tally count',
      {
        entries: (es) =>
          es.map((e) => (e.kind === 'tally' && e.candidate === 'alice' ? { ...e, count: e.count + 1 } : e)),
      },
      /STATE_INVALID|commits to/,
    ],
    ['a missing voter entry', { entries: (es) => es.slice(1) }, /commits to/],
    [
      'an extra voter entry',
      {
        entries: (es) => [...es, { kind: 'voter', voterKey: 'election-1\u0000ghost', txHash: `0x${'11'.repeat(32)}` }],
      },
      /commits to/,
    ],
    [
      'a vote moved to another candidate, tallies adjusted to match',
      {
        entries: (es) =>
          es.map((e) =>
            e.kind === 'tally' && e.election === '1'
              ? { ...e, count: e.candidate === 'alice' ? e.count + 1 : e.candidate === 'bob' ? e.count - 1 : e.count }
              : e,
          ),
      },
      /commits to/,
    ],
    [
      'more entries than a chain of its height can hold (a peer filling the disk)',
      {
        entries: (es) => [
          ...es,
          ...Array.from(
            { length: 4 * 3 * HEIGHT },
            (_, i): StateEntry => ({
              kind: 'voter',
              voterKey: `election-1\u0000filler-${i}`,
              txHash: `0x${'22'.repeat(32)}`,
            }),
          ),
        ],
      },
      /more than 72 entries/,
    ],
    [
      'a head whose certificate is not a quorum',
      {
        head: (fb) => ({
          ...fb,
          certificate: { ...fb.certificate, signatures: fb.certificate.signatures.slice(0, 1) },
        }),
      },
      /CERT|quorum/i,
    ],
  ];

  it('hashes in worker threads to the same commitment, and still refuses a missing entry', async () => {
    // The workers run the built script (npm run build): jest does not compile a worker's module.
    const workers = {
      ...OPTS,
      hashWorkers: 2,
      hashWorkerUrl: new URL('../../../dist/state/latticeWorker.js', import.meta.url),
    };
    const source = await sourceDb();
    const honest = await emptyNode();
    expect(await syncFromSnapshot(genesis, honest.db, peerNetwork(source), recordingLogger(), workers)).toMatchObject({
      height: HEIGHT,
    });
    await honest.db.close();
    const installed = await ChainDb.inMemory(genesis, {}, honest.kv.reopen());
    expect(installed.loadedCommitment.root()).toBe(binding.block.header.stateRoot);
    await installed.close();
    const tampered = await emptyNode();
    const log = recordingLogger();
    const dropFirst = { entries: (es: StateEntry[]) => es.slice(1) };
    expect(await syncFromSnapshot(genesis, tampered.db, peerNetwork(source, dropFirst), log, workers)).toBeUndefined();
    expect(String(log.lines.find((l) => l.msg === 'snapshot sync: snapshot refused')?.obj.err)).toMatch(/commits to/);
    await tampered.db.close();
  });

  for (const [name, tamper, reason] of attacks) {
    it(`refuses ${name}, and leaves no entry behind`, async () => {
      const source = await sourceDb();
      const { db, kv } = await emptyNode();
      const log = recordingLogger();
      expect(await syncFromSnapshot(genesis, db, peerNetwork(source, tamper), log, OPTS)).toBeUndefined();
      const refused = log.lines.find((l) => l.msg === 'snapshot sync: snapshot refused');
      expect(String(refused?.obj.err)).toMatch(reason);
      await db.close();
      const node = await ChainDb.inMemory(genesis, {}, kv.reopen());
      expect(node.head().height).toBe(0);
      expect((await node.loadChainStateSnapshot()).voters).toEqual([]);
      expect((await node.results('1')).total).toBe(0);
    });
  }
});

describe("snapshot sync of the election registry's entries (PROTOCOL.md 17.1)", () => {
  // On a chain with an election operator the core puts the registry's records in the state with
  // the block that changes them (the finalize op's registryEntries); here the last block does.
  const registry: StateEntry[] = [
    { kind: 'election', election: '9', record: { electionId: '9', ballots: 2, phase: 'ready' } },
    { kind: 'voted', election: 'free' },
  ];
  const state = new StateCommitment();
  for (const fb of blocks) state.apply(fb.block.transactions, fb.block.transactions.map(txHash));
  state.replace(registry);
  const bind = finalize(
    chain,
    leaderBlock(chain, {
      height: HEIGHT + 1,
      slot: top.block.header.slot + 1,
      parentHash: top.block.hash,
      transactions: [vote(100)],
      stateRoot: state.root(),
    }),
  );

  it('installs them with the rest: the same commitment, and the records to restore the registry from', async () => {
    const source = await sourceDb(registry);
    expect(source.loadedCommitment.root()).toBe(bind.block.header.stateRoot);
    const { db, kv } = await emptyNode();
    const result = await syncFromSnapshot(genesis, db, peerNetwork(source, {}, bind), recordingLogger(), OPTS);
    expect(result).toMatchObject({ height: HEIGHT, entries: 3 * HEIGHT + 6 + 2 + registry.length });
    await db.close();
    const node = await ChainDb.inMemory(genesis, {}, kv.reopen());
    expect(node.loadedCommitment.root()).toBe(bind.block.header.stateRoot);
    expect(node.loadedCommitment.keyedEntries()).toEqual(registry);
    // The restored commitment replaces a record as the peer's does (its old element hash is known).
    const next: StateEntry = {
      kind: 'election',
      election: '9',
      record: { electionId: '9', ballots: 3, phase: 'ready' },
    };
    const mine = node.loadedCommitment.clone();
    const theirs = source.loadedCommitment.clone();
    mine.replace([next]);
    theirs.replace([next]);
    expect(mine.root()).toBe(theirs.root());
  });

  const tampered: [string, Tamper | undefined, boolean][] = [
    [
      'a changed election record',
      {
        entries: (es) => es.map((e) => (e.kind === 'election' ? { ...e, record: { ...e.record, ballots: 1 } } : e)),
      },
      true,
    ],
    ['a missing "voted" mark', { entries: (es) => es.filter((e) => e.kind !== 'voted') }, true],
    ['a snapshot without the registry (a peer of schema 5)', undefined, false],
  ];
  for (const [name, tamper, withRegistry] of tampered) {
    it(`refuses ${name}, and leaves no entry behind`, async () => {
      const source = await sourceDb(withRegistry ? registry : []);
      const { db, kv } = await emptyNode();
      const log = recordingLogger();
      // The registry's entries come in a batch of their own: tamper with that one.
      const t: Tamper | undefined = tamper?.entries && {
        entries: (es) =>
          es.some((e) => e.kind === 'election' || e.kind === 'voted') ? (tamper.entries?.(es) ?? es) : es,
      };
      const net = peerNetwork(source, {}, bind);
      if (t) {
        const inner = net.requestSnapshot;
        net.requestSnapshot = (peer, sink) =>
          inner(peer, { onHead: (h) => sink.onHead(h), onEntries: (es) => sink.onEntries(t.entries?.(es) ?? es) });
      }
      expect(await syncFromSnapshot(genesis, db, net, log, OPTS)).toBeUndefined();
      const refused = log.lines.find((l) => l.msg === 'snapshot sync: snapshot refused');
      expect(String(refused?.obj.err)).toMatch(/commits to/);
      await db.close();
      const node = await ChainDb.inMemory(genesis, {}, kv.reopen());
      expect(node.head().height).toBe(0);
      expect(node.loadedCommitment.keyedEntries()).toEqual([]);
      expect(node.loadedCommitment.root()).toBe(emptyStateRoot());
    });
  }
});

describe('an unfinished snapshot sync', () => {
  it('leaves entries at height 0 that are detected at open and can be removed', async () => {
    const source = await sourceDb();
    const { db, kv } = await emptyNode();
    // Entries imported, then a crash before the install: head 0 with state entries.
    const reader = await source.openStateSnapshot();
    for await (const batch of reader?.entries() ?? []) await db.importStateEntries(batch);
    await reader?.close();
    await db.close();
    const reopened = await ChainDb.inMemory(genesis, {}, kv.reopen());
    expect(reopened.head().height).toBe(0);
    // What node.ts checks at start (and then discards).
    expect(reopened.loadedCommitment.root()).not.toBe(emptyStateRoot());
    await reopened.discardImportedState();
    await reopened.close();
    const clean = await ChainDb.inMemory(genesis, {}, kv.reopen());
    expect(clean.loadedCommitment.root()).toBe(emptyStateRoot());
    expect((await clean.loadChainStateSnapshot()).voters).toEqual([]);
    expect((await clean.results('1')).total).toBe(0);
  });
});

describe('backfill', () => {
  async function snapshotNode(source: ChainDb): Promise<ChainDb> {
    const { db, kv } = await emptyNode();
    await syncFromSnapshot(genesis, db, peerNetwork(source), recordingLogger(), OPTS);
    await db.close();
    return ChainDb.inMemory(genesis, {}, kv.reopen());
  }

  it('stores the blocks below the snapshot down to the genesis; the chain then verifies', async () => {
    const source = await sourceDb();
    const node = await snapshotNode(source);
    expect((await new ChainVerifier(node, genesis).verify()).valid).toBe(false);
    const backfill = new Backfill({ genesis, db: node, network: peerNetwork(source), logger: recordingLogger() });
    await backfill.start();
    for (let i = 0; i < 100 && !backfill.status()?.complete; i++) await new Promise((r) => setTimeout(r, 10));
    await backfill.stop();
    expect(backfill.status()).toMatchObject({ snapshotHeight: HEIGHT, lowest: 1, complete: true, blocks: HEIGHT - 1 });
    expect(await node.getFinalizedRange(1, 100)).toEqual(await source.getFinalizedRange(1, 100));
    expect(await new ChainVerifier(node, genesis).verify()).toEqual({ valid: true, checkedBlocks: HEIGHT, errors: [] });
    // Receipts of old votes: their locations were written with the backfilled blocks.
    const old = (blocks[1] as FinalizedBlock).block.transactions[0] as Transaction;
    expect(await node.getTxLocation(txHash(old))).toEqual({ height: 2, index: 0 });
  });

  it('resumes from its stored cursor after a restart', async () => {
    const source = await sourceDb();
    const node = await snapshotNode(source);
    const honest = peerNetwork(source);
    // A first run whose peer only has blocks 4 and up: it stores 5 and 4, then waits.
    const partial = {
      ...honest,
      requestBlocks: async (p: number, from: number, max: number) =>
        (await honest.requestBlocks(p, from, max)).filter((fb) => fb.block.header.height >= 4),
    };
    const first = new Backfill({ genesis, db: node, network: partial, logger: recordingLogger() });
    await first.start();
    for (let i = 0; i < 100 && first.status()?.lowest !== 4; i++) await new Promise((r) => setTimeout(r, 10));
    await first.stop();
    expect(await node.backfillState()).toMatchObject({ lowest: 4 });
    // After a restart, the next run starts from 3.
    const asked: number[] = [];
    const second = new Backfill({
      genesis,
      db: node,
      network: {
        ...honest,
        requestBlocks: (p, from, max) => {
          asked.push(from + max - 1);
          return honest.requestBlocks(p, from, max);
        },
      },
      logger: recordingLogger(),
    });
    await second.start();
    for (let i = 0; i < 100 && !second.status()?.complete; i++) await new Promise((r) => setTimeout(r, 10));
    await second.stop();
    expect(asked[0]).toBe(3);
    expect(await new ChainVerifier(node, genesis).verify()).toEqual({ valid: true, checkedBlocks: HEIGHT, errors: [] });
  });

  it('refuses a block that is not the parent of the block above it', async () => {
    const source = await sourceDb();
    const node = await snapshotNode(source);
    const honest = peerNetwork(source);
    const tampered = {
      ...honest,
      requestBlocks: async (p: number, from: number, max: number) => {
        const got = await honest.requestBlocks(p, from, max);
        // Block HEIGHT - 1 with one vote changed: its hash is no longer the parentHash of HEIGHT.
        return got.map((fb) =>
          fb.block.header.height === HEIGHT - 1
            ? {
                ...fb,
                block: leaderBlock(chain, {
                  height: fb.block.header.height,
                  slot: fb.block.header.slot,
                  parentHash: fb.block.header.parentHash,
                  transactions: [vote(999)],
                }),
              }
            : fb,
        );
      },
    };
    const log = recordingLogger();
    const backfill = new Backfill({ genesis, db: node, network: tampered, logger: log });
    await backfill.start();
    for (let i = 0; i < 100 && !log.lines.some((l) => l.msg === 'backfill: blocks refused'); i++)
      await new Promise((r) => setTimeout(r, 10));
    await backfill.stop();
    expect(String(log.lines.find((l) => l.msg === 'backfill: blocks refused')?.obj.err)).toMatch(/hashes to/);
    expect(backfill.status()).toMatchObject({ lowest: HEIGHT, complete: false });
    expect(await node.getFinalized(HEIGHT - 1)).toBeUndefined();
  });
});
