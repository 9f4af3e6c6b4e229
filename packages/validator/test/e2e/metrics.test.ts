/**
 * GET /metrics on a real validator: Prometheus text format, the series the issue names, and
 * values that move under load (votes, blocks, writes, gossip, HTTP requests).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TestNetwork, rpc, rpcBatch, waitFor } from '@poa-vote/test-utils';

/** Sum of a metric's samples whose labels contain every given label. */
function value(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  let found = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || !line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const l = m[2] ?? '';
    if (!Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`))) continue;
    sum += Number(m[3]);
    found = true;
  }
  if (!found) throw new Error(`no sample of ${name} ${JSON.stringify(labels)}`);
  return sum;
}

describe('GET /metrics of a real validator', () => {
  let net: TestNetwork;
  let url: string;

  const scrape = async (): Promise<{ type: string; text: string }> => {
    const r = await fetch(`${url}/metrics`);
    expect(r.status).toBe(200);
    return { type: r.headers.get('content-type') ?? '', text: await r.text() };
  };

  beforeAll(async () => {
    net = await TestNetwork.create({ slotMs: 400 });
    await net.start();
    await net.waitHealthy();
    url = net.validators[0]!.url;
  }, 60_000);

  afterAll(async () => {
    await net?.stop();
  }, 30_000);

  it('exposes the named series in Prometheus text format, and they move under load', async () => {
    const before = await scrape();
    expect(before.type).toMatch(/^text\/plain; version=0\.0\.4/);
    for (const name of [
      'poa_finalized_height',
      'poa_head_height',
      'poa_slot',
      'poa_slots_per_height',
      'poa_finality_seconds',
      'poa_votes_total',
      'poa_vote_ack_seconds',
      'poa_pool_transactions',
      'poa_pool_bytes',
      'poa_peers',
      'poa_p2p_messages_total',
      'poa_sync_served_blocks_total',
      'poa_db_write_seconds',
      'poa_http_requests_total',
      'poa_http_request_duration_seconds',
      'poa_rpc_calls_total',
      'poa_state_entries_hashed_total',
      'nodejs_eventloop_lag_seconds',
      'nodejs_heap_size_used_bytes',
      'process_resident_memory_bytes',
    ]) {
      expect(before.text).toContain(`# TYPE ${name} `);
    }
    expect(value(before.text, 'poa_peers')).toBe(2);
    const height0 = value(before.text, 'poa_finalized_height');
    const slot0 = value(before.text, 'poa_slot');

    // Load: 300 votes in batches, one double vote, then wait for them to be final.
    const batches = Array.from({ length: 3 }, (_, b) =>
      Array.from({ length: 100 }, (_, i) => ({
        method: 'eth_sendTransaction',
        params: [{ from: `metrics-voter-${b}-${i}`, to: 'election-9', data: `{"candidate_id":"c${i % 3}"}` }],
      })),
    );
    const answers = (await Promise.all(batches.map((calls) => rpcBatch(url, calls, 30_000)))).flat();
    expect(answers.filter((a) => typeof a.result === 'string')).toHaveLength(300);
    const double = await rpc(url, 'eth_sendTransaction', [
      { from: 'metrics-voter-0-0', to: 'election-9', data: '{"candidate_id":"other"}' },
    ]);
    expect((double.error as { code: number }).code).toBe(-32010);
    await waitFor(
      async () =>
        (await rpc(url, 'poa_getElection', ['9'])).result !== undefined &&
        ((await rpc(url, 'poa_getElection', ['9'])).result as { voteCount: number }).voteCount === 300,
      30_000,
      '300 votes final',
    );

    const after = (await scrape()).text;
    const moved = {
      finalizedHeight: [height0, value(after, 'poa_finalized_height')],
      slot: [slot0, value(after, 'poa_slot')],
      admitted: [0, value(after, 'poa_votes_total', { result: 'admitted' })],
      refusedDoubleVote: [0, value(after, 'poa_votes_total', { result: 'refused', reason: 'TX_DOUBLE_VOTE' })],
      ackCount: [value(before.text, 'poa_vote_ack_seconds_count'), value(after, 'poa_vote_ack_seconds_count')],
      finalityCount: [value(before.text, 'poa_finality_seconds_count'), value(after, 'poa_finality_seconds_count')],
      dbWrites: [value(before.text, 'poa_db_write_seconds_count'), value(after, 'poa_db_write_seconds_count')],
      p2pOut: [
        value(before.text, 'poa_p2p_messages_total', { direction: 'out' }),
        value(after, 'poa_p2p_messages_total', { direction: 'out' }),
      ],
      p2pIn: [
        value(before.text, 'poa_p2p_messages_total', { direction: 'in' }),
        value(after, 'poa_p2p_messages_total', { direction: 'in' }),
      ],
      rpcRequests: [0, value(after, 'poa_http_requests_total', { route: '/rpc', status: '200' })],
      sendCalls: [0, value(after, 'poa_rpc_calls_total', { method: 'eth_sendTransaction' })],
      stateEntriesHashed: [
        0,
        value(after, 'poa_state_entries_hashed_total', { when: 'ahead' }) +
          value(after, 'poa_state_entries_hashed_total', { when: 'final' }),
      ],
    };
    console.log('metrics before -> after load', moved);
    expect(moved.finalizedHeight[1]!).toBeGreaterThan(moved.finalizedHeight[0]!);
    expect(moved.slot[1]!).toBeGreaterThan(moved.slot[0]!);
    expect(moved.admitted[1]).toBe(300);
    expect(moved.refusedDoubleVote[1]).toBe(1);
    expect(moved.sendCalls[1]).toBe(301);
    for (const k of [
      'ackCount',
      'finalityCount',
      'dbWrites',
      'p2pOut',
      'p2pIn',
      'rpcRequests',
      'stateEntriesHashed',
    ] as const)
      expect([k, moved[k][1]! > moved[k][0]!]).toEqual([k, true]);
    expect(value(after, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    // Route labels are bounded: a random path counts as "other", never as itself.
    await fetch(`${url}/no/such/${Math.random()}`);
    const last = (await scrape()).text;
    expect(value(last, 'poa_http_requests_total', { route: 'other', status: '404' })).toBeGreaterThanOrEqual(1);
    expect(last).not.toContain('/no/such');
  }, 90_000);
});
