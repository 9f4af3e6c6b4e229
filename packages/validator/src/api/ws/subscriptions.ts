/**
 * Fan-out of chain events to eth_subscribe subscribers. The hub listens to the backend once;
 * each event's header object is formatted and serialized once, whatever the number of subscribers.
 */
import type { Block, QuorumCertificate } from '@poa-vote/shared';
import { formatHeader } from '../format.js';
import type { NodeApiBackend } from '../interface.js';
import type { Logger } from '../../util/logger.js';
import type { SubscriptionTopic } from '../jsonrpc/methods/eth.js';

/** Receives the JSON text of a header object. */
export type HeaderSink = (headerJson: string) => void;

/** Subscribers by topic, fed from the backend's events. */
export class SubscriptionHub {
  readonly #sinks: Record<SubscriptionTopic, Set<HeaderSink>> = {
    newHeads: new Set(),
    finalizedHeads: new Set(),
    candidateHeads: new Set(),
  };
  readonly #backend: NodeApiBackend;
  readonly #logger: Logger;
  #unlisten: (() => void)[] = [];

  constructor(backend: NodeApiBackend, logger: Logger) {
    this.#backend = backend;
    this.#logger = logger;
  }

  /** Start listening to the backend. */
  start(): void {
    if (this.#unlisten.length > 0) return;
    // newHeads is pushed once per height, on finality: Ethereum tools fetch the block a push
    // names, and a candidate is not readable through eth_getBlockByNumber (nor ever final, maybe).
    this.#unlisten = [
      this.#backend.onFinalized((block, certificate) => this.#emit(['newHeads', 'finalizedHeads'], block, certificate)),
      this.#backend.onNewHead((block) => {
        if (block.header.height > this.#backend.finalizedHeight()) this.#emit(['candidateHeads'], block, null);
      }),
    ];
  }

  /** Stop listening to the backend and drop every subscriber. */
  stop(): void {
    for (const off of this.#unlisten) off();
    this.#unlisten = [];
    for (const sinks of Object.values(this.#sinks)) sinks.clear();
  }

  /** Add a subscriber; returns its removal. */
  add(topic: SubscriptionTopic, sink: HeaderSink): () => void {
    this.#sinks[topic].add(sink);
    return () => void this.#sinks[topic].delete(sink);
  }

  /** Number of subscribers of a topic. */
  count(topic: SubscriptionTopic): number {
    return this.#sinks[topic].size;
  }

  #emit(topics: readonly SubscriptionTopic[], block: Block, certificate: QuorumCertificate | null): void {
    const sinks = topics.flatMap((t) => [...this.#sinks[t]]);
    if (sinks.length === 0) return;
    let json: string;
    try {
      json = JSON.stringify(formatHeader(block, this.#backend.authorities, certificate));
    } catch (e) {
      this.#logger.error({ err: e, topics }, 'cannot format a header for subscribers');
      return;
    }
    // A failing subscriber must not starve the others, nor throw into the backend's event loop.
    for (const sink of sinks) {
      try {
        sink(json);
      } catch (e) {
        this.#logger.warn({ err: e, topics }, 'subscriber failed');
      }
    }
  }
}
