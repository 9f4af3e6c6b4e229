/**
 * What the node and the API report to the metrics module. The consensus core never sees it: the
 * node reports what the core's outputs say (events, sends, writes), the API its requests.
 */

/** What the API server reports and serves. */
export interface ApiMetrics {
  /** One HTTP request answered: its route (bounded set of names), method, status and duration. */
  httpRequest(route: string, method: string, status: number, seconds: number): void;
  /** One JSON-RPC call to a registered method (unknown names are not counted: no unbounded labels). */
  rpcCall(method: string): void;
  /** The Prometheus text exposition. */
  render(): Promise<string>;
  /** The content type of render()'s text. */
  readonly contentType: string;
}

/** Readings taken at scrape time (gauges). */
export interface NodeGauges {
  finalizedHeight(): number;
  headHeight(): number;
  slot(): number;
  poolSize(): number;
  poolBytes(): number;
  peers(): number;
  /** State entries of finalized blocks hashed so far: ahead of finality, and in the finalizing step. */
  stateEntriesHashed(): { ahead: number; atFinality: number };
}

/** What the node reports. */
export interface NodeMetrics extends ApiMetrics {
  /** Register the scrape-time readings. */
  bindGauges(g: NodeGauges): void;
  /** A block became final here (durable, delivered): slots since its parent, age of its slot. */
  blockFinalized(height: number, slots: number | undefined, secondsSinceSlotStart: number): void;
  /** Submissions answered: one outcome code per vote ("admitted" or the refusal code). */
  votesAnswered(codes: readonly string[], seconds: number): void;
  /** A consensus message sent (to one peer or gossiped) or received, by type. */
  p2pMessage(direction: 'in' | 'out', type: string): void;
  /** Finalized blocks served to a syncing peer, and their bytes. */
  syncServed(blocks: number, bytes: number): void;
  /** A peer's message the node refused, by code. */
  invalidMessage(code: string): void;
  /** One storage batch written, and how long it took. */
  dbWrite(seconds: number): void;
}
