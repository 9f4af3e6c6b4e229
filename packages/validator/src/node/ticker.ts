/** The node's clock: a core tick several times a slot (10 to 50 ms apart). */
import type { Genesis } from '@poa-vote/shared';

export class Ticker {
  readonly #every: number;
  readonly #tick: () => void;
  #timer: NodeJS.Timeout | undefined;

  constructor(genesis: Genesis, tick: () => void) {
    this.#every = Math.max(10, Math.min(50, Math.floor(genesis.slotDurationMs / 10)));
    this.#tick = tick;
  }

  /** Tick now, then every interval. */
  start(): void {
    this.#timer = setInterval(this.#tick, this.#every);
    this.#tick();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
