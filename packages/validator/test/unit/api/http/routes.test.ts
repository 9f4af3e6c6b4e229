/** The REST routes against a real ApiServer on 127.0.0.1 (ephemeral port) and a fake backend. */
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { type Evidence, evidenceId, txHash } from '@poa-vote/shared';
import { type Harness, startHarness, vote } from '../helpers.js';

let h: Harness;
async function get(path: string): Promise<{ status: number; body: any; type: string | null }> {
  const res = await fetch(`${h.base}${path}`);
  return { status: res.status, type: res.headers.get('content-type'), body: await res.json() };
}

beforeAll(async () => {
  h = await startHarness();
  await h.call('eth_sendTransaction', [vote('alice-voter', '7', 'alice')], 'r1');
  await h.call('eth_sendTransaction', [vote('bob-voter', '7', 'bob')], 'r2');
  await h.call('eth_sendTransaction', [vote('carol-voter', '7', 'alice')], 'r3');
  await h.call('eth_sendTransaction', [{ from: 'dave-voter', to: 'election-7', data: 'c2VhbGVk' }], 'r4');
  await h.call('eth_sendTransaction', [vote('erin-voter', '8', 'zed')], 'r5');
  h.backend.finalizePending();
});
afterAll(async () => {
  await h.stop();
});

describe('GET /health', () => {
  it('is 200 with snake_case keys when healthy', async () => {
    const r = await get('/health');
    expect(r.status).toBe(200);
    expect(r.type).toContain('application/json');
    expect(r.body).toEqual({
      status: 'healthy',
      healthy: true,
      node_id: 'validator-1',
      chain_id: 1337,
      head_height: 1,
      finalized_height: 1,
      peers: 2,
      syncing: false,
      recovering: false,
      last_block_age_ms: 250,
      slot: 2,
      reasons: [],
    });
  });

  it('is 503 with the reasons when unhealthy', async () => {
    h.backend.healthy = false;
    try {
      const r = await get('/health');
      expect(r.status).toBe(503);
      expect(r.body.status).toBe('unhealthy');
      expect(r.body.reasons).toEqual(['connected to 0 of 2 peers: no quorum']);
    } finally {
      h.backend.healthy = true;
    }
  });
});

describe('GET /blockchain', () => {
  it('summarizes the chain and counts an election', async () => {
    const fb = await h.backend.getFinalizedBlock(1);
    const r = await get('/blockchain?election_id=7');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      chain_id: 1337,
      height: 1,
      head_height: 1,
      finalized_height: 1,
      head_hash: fb!.block.hash,
      election_id: '7',
      vote_count: 4,
      verification: { chain_valid: true, checked_blocks: 1, errors: [] },
    });
    expect(r.body.authorities).toHaveLength(3);
    expect(r.body.authorities[0]).toEqual({
      id: 'validator-1',
      name: 'validator-1',
      public_key: h.backend.authorities[0]!.publicKey,
    });
  });

  it('works without election_id and rejects a bad one naming it', async () => {
    const r = await get('/blockchain');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ election_id: null, vote_count: null });
    const bad = await get('/blockchain?election_id=no%20spaces');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain('election_id');
    expect(bad.body.param).toBe('election_id');
  });
});

describe('GET /results', () => {
  it('tallies an election; unreadable ballots count as sealed', async () => {
    const r = await get('/results?election_id=7');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      election_id: '7',
      results: { alice: 2, bob: 1, sealed: 1 },
      counts: { alice: 2, bob: 1, sealed: 1 },
      total: 4,
      height: 1,
    });
    expect((await get('/results?election_id=8')).body.results).toEqual({ zed: 1 });
  });

  it('is 400 naming election_id when it is missing, repeated or invalid', async () => {
    for (const q of ['', '?election_id=', '?election_id=1&election_id=2', '?election_id=%2Fetc']) {
      const r = await get(`/results${q}`);
      expect(r.status).toBe(400);
      expect(r.body.error).toContain('election_id');
    }
  });
});

describe('GET /blocks, /transactions, /evidence', () => {
  it('serves a block with its certificate by height, quantity, hash and "latest"; 404 when missing', async () => {
    const fb = (await h.backend.getFinalizedBlock(1))!;
    for (const ref of ['1', '0x1', fb.block.hash, 'latest']) {
      const r = await get(`/blocks/${ref}`);
      expect(r.status).toBe(200);
      expect(r.body).toEqual({
        height: 1,
        hash: fb.block.hash,
        finalized: true,
        block: JSON.parse(JSON.stringify(fb.block)),
        certificate: fb.certificate,
      });
    }
    const missing = await get('/blocks/999');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toContain('999');
    const bad = await get('/blocks/banana');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain('block');
  });

  it('serves a transaction and its state by hash or submission id; 404 when unknown', async () => {
    const hash = txHash(vote('bob-voter', '7', 'bob'));
    for (const ref of [hash, 'r2']) {
      const r = await get(`/transactions/${ref}`);
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({
        hash,
        transaction: vote('bob-voter', '7', 'bob'),
        blockNumber: 1,
        state: { state: 'finalized', hash, blockNumber: 1 },
      });
    }
    const unknown = await get(`/transactions/0x${'cd'.repeat(32)}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.state.state).toBe('unknown');
    expect((await get('/transactions/no-such-id')).status).toBe(404);
  });

  it('serves evidence with ids', async () => {
    expect((await get('/evidence')).body).toEqual({ count: 0, evidence: [] });
    const v = {
      type: 'prevote' as const,
      height: 1,
      slot: 2,
      validator: 0,
      signature: `0x${'11'.repeat(64)}` as const,
    };
    const ev: Evidence = {
      kind: 'double-vote',
      validator: 0,
      a: { ...v, blockHash: `0x${'aa'.repeat(32)}` },
      b: { ...v, blockHash: `0x${'bb'.repeat(32)}` },
    };
    h.backend.evidenceList = [ev];
    try {
      const r = await get('/evidence');
      expect(r.body.count).toBe(1);
      expect(r.body.evidence[0]).toEqual({ id: evidenceId(ev), ...ev });
      expect((await h.call('poa_getEvidence')).result).toEqual(r.body.evidence);
    } finally {
      h.backend.evidenceList = [];
    }
  });
});

describe('errors', () => {
  it('answers unknown routes with 404 JSON and failures with 500 JSON without a stack', async () => {
    const r = await get('/no/such/route');
    expect(r.status).toBe(404);
    expect(r.body.error).toContain('/no/such/route');
    h.backend.failWith = new Error('database is closed');
    try {
      const res = await fetch(`${h.base}/results?election_id=7`);
      expect(res.status).toBe(500);
      const text = await res.text();
      expect(JSON.parse(text).error).toContain('database is closed');
      expect(text).not.toMatch(/\.ts:\d+|at /);
    } finally {
      h.backend.failWith = undefined;
    }
  });
});
