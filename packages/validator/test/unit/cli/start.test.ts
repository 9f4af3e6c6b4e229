import { describe, it, expect } from '@jest/globals';
import { createLogger } from '../../../src/util/logger.js';
import { stopOnSignals, type RunningNode } from '../../../src/cli/start.js';

const logger = createLogger('silent');

function fakeNode(close: () => Promise<void>): RunningNode & { closes: number } {
  const node = {
    closes: 0,
    rpcPort: 1,
    p2pAddrs: [],
    close: () => {
      node.closes++;
      return close();
    },
  };
  return node;
}

/** Install the handlers, emit a signal (listeners only: no real signal is sent), collect exits. */
async function run(node: RunningNode, signals: NodeJS.Signals[], timeoutMs = 1000, settleMs = 50): Promise<number[]> {
  const exits: number[] = [];
  const uninstall = stopOnSignals(node, logger, { timeoutMs, exit: (code) => void exits.push(code) });
  try {
    for (const s of signals) process.emit(s, s);
    await new Promise((r) => setTimeout(r, settleMs));
  } finally {
    uninstall();
  }
  return exits;
}

describe('stopOnSignals', () => {
  it('closes the node on SIGTERM, then exits 0', async () => {
    const node = fakeNode(async () => undefined);
    expect(await run(node, ['SIGTERM'])).toEqual([0]);
    expect(node.closes).toBe(1);
  });

  it('closes the node on SIGINT, then exits 0', async () => {
    const node = fakeNode(async () => undefined);
    expect(await run(node, ['SIGINT'])).toEqual([0]);
  });

  it('exits 1 when close fails', async () => {
    const node = fakeNode(async () => {
      throw new Error('disk gone');
    });
    expect(await run(node, ['SIGTERM'])).toEqual([1]);
  });

  it('exits 1 when close takes longer than the timeout', async () => {
    const node = fakeNode(() => new Promise<void>(() => undefined));
    expect(await run(node, ['SIGTERM'], 20, 100)).toEqual([1]);
  });

  it('a second signal while closing exits 1 at once, without a second close', async () => {
    const node = fakeNode(() => new Promise<void>(() => undefined));
    expect(await run(node, ['SIGINT', 'SIGINT'])).toEqual([1]);
    expect(node.closes).toBe(1);
  });

  it('uninstalls its handlers', async () => {
    const before = process.listenerCount('SIGTERM');
    await run(
      fakeNode(async () => undefined),
      [],
    );
    expect(process.listenerCount('SIGTERM')).toBe(before);
  });
});
