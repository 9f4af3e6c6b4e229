/**
 * Hostile peers on the p2p port, against real validator processes on loopback.
 *
 * Before the p2p port defences (libp2p defaults: 10 pending inbound upgrades for the whole node,
 * 10 s upgrade timeout, the authority check only after the handshake), the issue measured on
 * three validators on loopback: about ten silent connections per port locked the authorities out;
 * restarted validators could not rejoin, and with two restarted the chain halted until the
 * attacker stopped. (Not re-measured by this test: the limits cannot be switched off from the CLI
 * because the node does not forward network options; see docs/SECURITY.md.) With the defences,
 * this test's attacker (50 silent sockets per port, each reopened 100 ms after it is dropped)
 * measured: all three finalized 3 new blocks 3.4 s after the two restarts, and no silent socket
 * stayed open longer than 2.6 s (the 2.5 s upgrade timeout).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { TestNetwork, finalizedHeight, sleep, waitFor } from '@poa-vote/test-utils';
import { SilentFlood, sendAndTimeClose } from './p2pFlood.js';

const SLOT_MS = 500;
/** Silent connections per validator p2p port. */
const SILENT_PER_PORT = 50;
/** After both restarts, the chain must finalize this many new blocks within RECOVERY_MS. */
const NEW_BLOCKS = 3;
const RECOVERY_MS = 30_000;

async function heights(net: TestNetwork): Promise<number[]> {
  return Promise.all(net.validators.map((v) => finalizedHeight(v.url).catch(() => -1)));
}

describe('adversarial: the p2p port', () => {
  let net: TestNetwork;

  beforeAll(async () => {
    net = await TestNetwork.create({ slotMs: SLOT_MS, env: () => ({ POA_INSECURE_OPEN_WRITES: '1' }) });
    await net.start();
    await net.waitHealthy();
    await net.waitHeight(0, 2);
  }, 60_000);

  afterAll(async () => {
    await net?.stop();
  }, 30_000);

  it(`${SILENT_PER_PORT} silent connections per port: two validators killed -9 and restarted rejoin, the chain finalizes again`, async () => {
    const ports = net.validators.map((v) => v.p2pPort);
    const flood = new SilentFlood(ports, SILENT_PER_PORT).start();
    try {
      await waitFor(
        () => flood.stats.opened >= ports.length * SILENT_PER_PORT,
        10_000,
        'the silent connections to open',
      );
      await sleep(1000);
      const before = Math.max(...(await heights(net)));
      await net.kill(0);
      await net.kill(1);
      await sleep(1000);
      const t0 = Date.now();
      await net.start(0);
      await net.start(1);
      let reached = 0;
      await waitFor(
        async () => {
          const h = await heights(net);
          reached = Math.min(...h);
          return reached >= before + NEW_BLOCKS;
        },
        RECOVERY_MS,
        `every validator to finalize height ${before + NEW_BLOCKS} under the flood`,
        () => `heights reached ${reached}; flood ${JSON.stringify(flood.stats)}\n${net.logTail(0, 15)}`,
      );
      const recoveredMs = Date.now() - t0;
      process.stdout.write(
        `p2p flood: finalized ${NEW_BLOCKS} new blocks on all three ${recoveredMs} ms after restarting two validators; attacker ${JSON.stringify({ ...flood.stats, open: flood.open })}\n`,
      );
      expect(recoveredMs).toBeLessThan(RECOVERY_MS);
      // The silent sockets were dropped by the upgrade timeout, not kept for libp2p's default 10 s.
      expect(flood.stats.dropped).toBeGreaterThan(0);
      expect(flood.stats.longestOpenMs).toBeLessThan(8_000);
    } finally {
      flood.stop();
    }
    expect(net.unexpectedExits()).toEqual([]);
  }, 90_000);

  it('garbage and oversized frames cost the sender its connection, never the validator', async () => {
    const port = net.validators[2]!.p2pPort;
    const tries = [
      randomBytes(4096),
      // A multistream-select header claiming a 4 GiB message.
      Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x0f, ...Buffer.from('/multistream/1.0.0\n')]),
      Buffer.concat([Buffer.from('\x13/multistream/1.0.0\n'), randomBytes(64 * 1024)]),
    ];
    const results = await Promise.all(tries.map((b) => sendAndTimeClose(port, b, 6000)));
    for (const r of results) expect(r.closedByPeer).toBe(true);
    const h = await finalizedHeight(net.validators[2]!.url);
    await waitFor(
      async () => (await finalizedHeight(net.validators[2]!.url)) >= h + 2,
      15_000,
      'validator-3 to keep finalizing',
    );
    expect(net.unexpectedExits()).toEqual([]);
  }, 30_000);

  it('a libp2p peer outside the genesis cannot open a stream', async () => {
    await import('../../src/util/polyfills.js');
    const { createLibp2p } = await import('libp2p');
    const { tcp } = await import('@libp2p/tcp');
    const { noise } = await import('@chainsafe/libp2p-noise');
    const { yamux } = await import('@chainsafe/libp2p-yamux');
    const { multiaddr } = await import('@multiformats/multiaddr');
    const outsider = await createLibp2p({
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
    });
    try {
      const target = multiaddr(`/ip4/127.0.0.1/tcp/${net.validators[2]!.p2pPort}`);
      let refused = false;
      try {
        const conn = await outsider.dial(target, { signal: AbortSignal.timeout(5000) });
        await conn.newStream('/poa-evote/1337/sync/1', { signal: AbortSignal.timeout(3000) });
      } catch {
        refused = true;
      }
      expect(refused).toBe(true);
    } finally {
      await outsider.stop();
    }
    expect(net.unexpectedExits()).toEqual([]);
  }, 30_000);
});
