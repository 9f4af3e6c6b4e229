/**
 * Prometheus metrics of a validator (prom-client), on a registry of its own: several nodes in
 * one process (tests) do not share series. Names follow Prometheus conventions: `poa_` prefix,
 * `_total` for counters, base units in the name (`_seconds`, `_bytes`).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { NodeGauges, NodeMetrics } from './interface.js';
import { type MetricsOptions, defaultMetricsOptions } from './options.js';

/** Latency buckets (seconds) from a millisecond to ten seconds. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Time-to-finality buckets (seconds): slots are ~1 s. */
const FINALITY_BUCKETS = [0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 30];
/** A block older than this when finalized here was caught up by sync: its age is not a finality time. */
const LIVE_FINALITY_LIMIT_S = 60;

/** The metrics of one validator node. */
export class PromMetrics implements NodeMetrics {
  readonly registry = new Registry();
  readonly #gauges: { current: NodeGauges | undefined } = { current: undefined };
  readonly #finalizedBlocks: Counter;
  readonly #slotsPerHeight: Histogram;
  readonly #finality: Histogram;
  readonly #votes: Counter<'result' | 'reason'>;
  readonly #ack: Histogram;
  readonly #p2p: Counter<'direction' | 'type'>;
  readonly #syncBlocks: Counter;
  readonly #syncBytes: Counter;
  readonly #invalid: Counter<'code'>;
  readonly #dbWrite: Histogram;
  readonly #http: Counter<'route' | 'method' | 'status'>;
  readonly #httpSeconds: Histogram<'route'>;
  readonly #rpc: Counter<'method'>;

  constructor(opts: Partial<MetricsOptions> = {}) {
    const o = { ...defaultMetricsOptions, ...opts };
    const p = o.prefix;
    const registers = [this.registry];
    this.registry.setDefaultLabels(o.labels);
    const reading = (name: string, help: string, read: (g: NodeGauges) => number): void => {
      const gauges = this.#gauges;
      new Gauge({
        name: `${p}${name}`,
        help,
        registers,
        collect() {
          if (gauges.current) this.set(read(gauges.current));
        },
      });
    };
    reading('finalized_height', 'Height of the finalized head (durable on this node)', (g) => g.finalizedHeight());
    reading('head_height', 'Height of the best known block (a candidate with a polka, else the finalized head)', (g) =>
      g.headHeight(),
    );
    reading('slot', 'Current slot by this node’s clock', (g) => g.slot());
    reading('pool_transactions', 'Votes in the transaction pool', (g) => g.poolSize());
    reading('pool_bytes', 'Bytes of the votes in the transaction pool', (g) => g.poolBytes());
    reading('peers', 'Connected authorities other than this one', (g) => g.peers());
    const hashed = { ahead: 0, atFinality: 0 };
    const gaugesRef = this.#gauges;
    new Counter({
      name: `${p}state_entries_hashed_total`,
      help: 'Voter entries hashed into the state commitment, by when: ahead of finality (when the vote entered the pool, or while its block was voted on) or in the finalizing step (final)',
      labelNames: ['when'],
      registers,
      collect() {
        const now = gaugesRef.current?.stateEntriesHashed();
        if (!now) return;
        this.inc({ when: 'ahead' }, now.ahead - hashed.ahead);
        this.inc({ when: 'final' }, now.atFinality - hashed.atFinality);
        hashed.ahead = now.ahead;
        hashed.atFinality = now.atFinality;
      },
    });

    this.#finalizedBlocks = new Counter({
      name: `${p}blocks_finalized_total`,
      help: 'Blocks finalized on this node (live or by sync)',
      registers,
    });
    this.#slotsPerHeight = new Histogram({
      name: `${p}slots_per_height`,
      help: 'Slots (rounds) between a finalized block and its parent',
      buckets: [1, 2, 3, 4, 5, 8, 16],
      registers,
    });
    this.#finality = new Histogram({
      name: `${p}finality_seconds`,
      help: 'From the start of a block’s slot to its finality on this node (blocks finalized live)',
      buckets: FINALITY_BUCKETS,
      registers,
    });
    this.#votes = new Counter({
      name: `${p}votes_total`,
      help: 'Votes answered by eth_sendTransaction: result admitted or refused, with the reason',
      labelNames: ['result', 'reason'],
      registers,
    });
    this.#ack = new Histogram({
      name: `${p}vote_ack_seconds`,
      help: 'From submission (the JSON-RPC handler running; a request waiting in the socket before it is not counted) to acknowledgement (on a quorum in quorum mode), one observation per submit call or batch with admitted votes',
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.#p2p = new Counter({
      name: `${p}p2p_messages_total`,
      help: 'Consensus messages sent and received, by type (gossip, direct, sync)',
      labelNames: ['direction', 'type'],
      registers,
    });
    this.#syncBlocks = new Counter({
      name: `${p}sync_served_blocks_total`,
      help: 'Finalized blocks served to syncing peers',
      registers,
    });
    this.#syncBytes = new Counter({
      name: `${p}sync_served_bytes_total`,
      help: 'Bytes of finalized blocks served to syncing peers',
      registers,
    });
    this.#invalid = new Counter({
      name: `${p}p2p_invalid_messages_total`,
      help: 'Peer messages refused, by code',
      labelNames: ['code'],
      registers,
    });
    this.#dbWrite = new Histogram({
      name: `${p}db_write_seconds`,
      help: 'LevelDB batch write latency (one batch per consensus step)',
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.#http = new Counter({
      name: `${p}http_requests_total`,
      help: 'HTTP requests answered, by route, method and status',
      labelNames: ['route', 'method', 'status'],
      registers,
    });
    this.#httpSeconds = new Histogram({
      name: `${p}http_request_duration_seconds`,
      help: 'HTTP request duration by route',
      labelNames: ['route'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.#rpc = new Counter({
      name: `${p}rpc_calls_total`,
      help: 'JSON-RPC calls answered, by method',
      labelNames: ['method'],
      registers,
    });
    if (o.processMetrics) collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 20 });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  bindGauges(g: NodeGauges): void {
    this.#gauges.current = g;
  }

  blockFinalized(_height: number, slots: number | undefined, secondsSinceSlotStart: number): void {
    this.#finalizedBlocks.inc();
    if (slots !== undefined && slots > 0) this.#slotsPerHeight.observe(slots);
    if (secondsSinceSlotStart >= 0 && secondsSinceSlotStart < LIVE_FINALITY_LIMIT_S)
      this.#finality.observe(secondsSinceSlotStart);
  }

  votesAnswered(codes: readonly string[], seconds: number): void {
    let admitted = 0;
    for (const code of codes) {
      if (code === 'admitted') admitted++;
      else this.#votes.inc({ result: 'refused', reason: code });
    }
    if (admitted > 0) {
      this.#votes.inc({ result: 'admitted', reason: '' }, admitted);
      this.#ack.observe(seconds);
    }
  }

  p2pMessage(direction: 'in' | 'out', type: string): void {
    this.#p2p.inc({ direction, type });
  }

  syncServed(blocks: number, bytes: number): void {
    this.#syncBlocks.inc(blocks);
    this.#syncBytes.inc(bytes);
  }

  invalidMessage(code: string): void {
    this.#invalid.inc({ code });
  }

  dbWrite(seconds: number): void {
    this.#dbWrite.observe(seconds);
  }

  httpRequest(route: string, method: string, status: number, seconds: number): void {
    this.#http.inc({ route, method, status: String(status) });
    this.#httpSeconds.observe({ route }, seconds);
  }

  rpcCall(method: string): void {
    this.#rpc.inc({ method });
  }
}
