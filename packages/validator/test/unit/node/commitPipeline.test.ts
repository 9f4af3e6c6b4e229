/** The commit pipeline runs each core step once what it reads is loaded, in call order. */
import { describe, it, expect } from '@jest/globals';
import type { Output } from '../../../src/consensus/index.js';
import { CommitPipeline } from '../../../src/node/commitPipeline.js';
import { silentLogger } from '../../../src/util/logger.js';
import type { VoterLease } from '../../../src/state/voterCache.js';

const empty = (): Output => ({ persist: [], send: [], events: [] });

function lease(ready?: Promise<void>): VoterLease & { released: boolean } {
  const l = {
    ready,
    released: false,
    release() {
      l.released = true;
    },
  };
  return l;
}

function pipeline(onFatal: (e: unknown) => void = () => undefined): CommitPipeline {
  return new CommitPipeline({
    db: { apply: async () => undefined },
    deliver: () => undefined,
    onFatal,
    logger: silentLogger,
  });
}

describe('CommitPipeline steps', () => {
  it('runs at once when nothing loads, and keeps call order behind a step that waits', async () => {
    const p = pipeline();
    const ran: string[] = [];
    const step = (name: string) => (): Output => {
      ran.push(name);
      return empty();
    };
    p.run(step('a'));
    expect(ran).toEqual(['a']);
    let load = (): void => undefined;
    const waiting = lease(new Promise<void>((r) => (load = r)));
    p.run(step('b'), waiting);
    p.run(step('c'));
    expect(ran).toEqual(['a']);
    load();
    await new Promise((r) => setImmediate(r));
    expect(ran).toEqual(['a', 'b', 'c']);
    expect(waiting.released).toBe(true);
  });

  it('stops the node when a step throws, and skips the steps after it', async () => {
    const fatal: unknown[] = [];
    const p = pipeline((e) => fatal.push(e));
    const skipped: string[] = [];
    const l = lease();
    p.step(() => {
      throw new Error('voter not loaded');
    }, l);
    expect(l.released).toBe(true);
    expect(fatal).toHaveLength(1);
    p.step(
      () => skipped.push('ran'),
      lease(),
      () => skipped.push('skipped'),
    );
    expect(skipped).toEqual(['skipped']);
  });
});
