/** Runs async jobs one at a time, in order: the node's single writer to the consensus core. */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  /** Queue a job; resolves with its result once it (and every job before it) ran. */
  run<T>(job: () => Promise<T>): Promise<T> {
    const next = this.#tail.then(job, job);
    this.#tail = next.catch(() => undefined);
    return next;
  }

  /** Resolves when every job queued so far has finished. */
  drain(): Promise<void> {
    return this.#tail.then(() => undefined);
  }
}
