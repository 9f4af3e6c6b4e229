// When votes become final: WebSocket finalizedHeads subscriptions on every validator record when
// each height is finalized there; the contents of heights with votes are read once (GET /blocks)
// to learn which votes each holds. A vote is final "on all" at the latest of the validators' times.
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

export class FinalityTracker {
  /** per validator: Map height -> performance.now() of the push */
  times;
  /** voter id -> height */
  voterHeight = new Map();
  /** height -> {slot, txCount} */
  heads = new Map();
  #sockets = [];
  #fetchQueue = [];
  #fetching = false;
  #fetched = new Set();
  #filter;
  errors = [];

  /** `filter(voterId)` says which voters to remember (sampling). */
  constructor(nodes, { filter = () => true } = {}) {
    this.nodes = nodes;
    this.times = nodes.map(() => new Map());
    this.#filter = filter;
  }

  /** Connect and subscribe on every validator. */
  async start() {
    await Promise.all(this.nodes.map((n, i) => this.#subscribe(n, i)));
  }

  #subscribe(node, i) {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${node.wsUrl}/ws`);
      this.#sockets[i] = ws;
      let subId;
      ws.on('open', () =>
        ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_subscribe', params: ['finalizedHeads'] })),
      );
      ws.on('message', (data) => {
        const t = performance.now();
        const msg = JSON.parse(data.toString());
        if (msg.id === 1) {
          if (msg.error) return reject(new Error(`${node.id}: eth_subscribe failed: ${msg.error.message}`));
          subId = msg.result;
          return resolve();
        }
        if (msg.method !== 'eth_subscription' || msg.params?.subscription !== subId) return;
        const head = msg.params.result;
        const height = Number(head.number);
        this.times[i].set(height, t);
        if (!this.heads.has(height)) this.heads.set(height, { slot: Number(head.slot), txCount: Number(head.txCount) });
        if (Number(head.txCount) > 0 && !this.#fetched.has(height)) {
          this.#fetched.add(height);
          // Read from the validator that announced it: the others may not have it yet.
          this.#fetchQueue.push({ height, url: node.rpcUrl });
          void this.#drain();
        }
      });
      ws.on('error', (e) => {
        this.errors.push(`${node.id} ws: ${e.message}`);
        reject(e);
      });
    });
  }

  async #drain() {
    if (this.#fetching) return;
    this.#fetching = true;
    try {
      while (this.#fetchQueue.length > 0) {
        const { height, url } = this.#fetchQueue.shift();
        try {
          const res = await fetch(`${url}/blocks/${height}`);
          const body = await res.json();
          for (const tx of body.block.transactions) if (this.#filter(tx.from)) this.voterHeight.set(tx.from, height);
        } catch (e) {
          this.errors.push(`GET /blocks/${height}: ${e.message}`);
        }
      }
    } finally {
      this.#fetching = false;
    }
  }

  /** Resolves once every block content fetch queued so far is done. */
  async settle() {
    while (this.#fetching || this.#fetchQueue.length > 0) await new Promise((r) => setTimeout(r, 20));
  }

  /** performance.now() at which `height` was final on every validator (undefined if one never said). */
  finalOnAll(height) {
    let t = -Infinity;
    for (const m of this.times) {
      const x = m.get(height);
      if (x === undefined) return undefined;
      if (x > t) t = x;
    }
    return t;
  }

  /**
   * Block statistics over the heights seen: how full blocks were, how many slots passed per block
   * (1 = every slot finalized a block) and how long after its slot's start a block was final on all.
   */
  blockStats(genesis) {
    const heights = [...this.heads.keys()].sort((a, b) => a - b);
    const withVotes = heights.filter((h) => this.heads.get(h).txCount > 0);
    const delays = [];
    for (const h of heights) {
      const at = this.finalOnAll(h);
      if (at === undefined) continue;
      const slotStart = genesis.genesisTime + this.heads.get(h).slot * genesis.slotDurationMs;
      delays.push(performance.timeOrigin + at - slotStart);
    }
    const first = this.heads.get(heights[0]);
    const last = this.heads.get(heights.at(-1));
    return {
      blocks: heights.length,
      blocksWithVotes: withVotes.length,
      maxVotesPerBlock: Math.max(0, ...withVotes.map((h) => this.heads.get(h).txCount)),
      meanVotesPerBlock: withVotes.length
        ? withVotes.reduce((n, h) => n + this.heads.get(h).txCount, 0) / withVotes.length
        : 0,
      slotsPerBlock: heights.length > 1 ? (last.slot - first.slot) / (heights.length - 1) : undefined,
      finalAfterSlotStartMs: delays,
    };
  }

  close() {
    for (const ws of this.#sockets) ws?.terminate();
  }
}

/** GET /results total of an election on one validator. */
export async function electionTotal(rpcUrl, electionId) {
  const res = await fetch(`${rpcUrl}/results?election_id=${encodeURIComponent(electionId)}`);
  const body = await res.json();
  return Number(body.total ?? 0);
}

/** Wait until every validator's tally of the election reaches `expected`; throws after timeoutMs. */
export async function waitForTallies(nodes, electionId, expected, timeoutMs) {
  const deadline = performance.now() + timeoutMs;
  let totals = [];
  for (;;) {
    totals = await Promise.all(nodes.map((n) => electionTotal(n.rpcUrl, electionId).catch(() => -1)));
    if (totals.every((t) => t >= expected)) return { at: performance.now(), totals };
    if (performance.now() > deadline) {
      throw new Error(
        `votes not final on all validators within ${timeoutMs} ms: tallies ${totals.join(', ')} of ${expected} (${nodes.map((n) => n.id).join(', ')})`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
