import { describe, expect, it } from '@jest/globals';
import type { MultiaddrConnection } from '@libp2p/interface';
import { multiaddr } from '@multiformats/multiaddr';
import { InboundGate } from '../../../src/network/gater.js';
import { Penalty, PeerScores, penaltyOf } from '../../../src/network/peerScore.js';
import { NetworkError, NetworkErrorCode } from '../../../src/network/interface.js';
import { GossipAction, GossipValidationError } from '../../../src/network/gossip/validation.js';

/** A pending connection stand-in: its remote address, abort and the close event. */
function conn(ip: string, port = 40000): MultiaddrConnection & { aborted: boolean; close(): void } {
  const target = new EventTarget();
  const c = {
    remoteAddr: multiaddr(`/ip4/${ip}/tcp/${port}`),
    aborted: false,
    abort() {
      c.aborted = true;
      target.dispatchEvent(new Event('close'));
    },
    close() {
      target.dispatchEvent(new Event('close'));
    },
    addEventListener: target.addEventListener.bind(target),
  };
  return c as unknown as MultiaddrConnection & { aborted: boolean; close(): void };
}

describe('InboundGate', () => {
  const opts = { maxPendingPerIp: 2, maxPending: 3, maxPendingPerAuthorityIp: 4 };

  it('limits pending handshakes per unknown IP and in total, and frees a slot when one settles or closes', () => {
    const gate = new InboundGate(opts);
    const a1 = conn('10.0.0.1');
    expect(gate.denyInbound(a1)).toBe(false);
    expect(gate.denyInbound(conn('10.0.0.1'))).toBe(false);
    expect(gate.denyInbound(conn('10.0.0.1'))).toBe(true); // per-IP cap
    expect(gate.denyInbound(conn('10.0.0.2'))).toBe(false);
    expect(gate.denyInbound(conn('10.0.0.3'))).toBe(true); // total cap: the reserve is kept
    gate.settled(a1);
    expect(gate.denyInbound(conn('10.0.0.3'))).toBe(false);
    expect(gate.stats.refused).toBe(2);
  });

  it('never refuses an authority IP: its oldest pending connection is dropped instead', () => {
    const gate = new InboundGate(opts);
    gate.addAuthorityIp('127.0.0.1');
    const silent = Array.from({ length: 4 }, (_, i) => conn('127.0.0.1', 50000 + i));
    for (const c of silent) expect(gate.denyInbound(c)).toBe(false);
    const authority = conn('127.0.0.1', 60000);
    expect(gate.denyInbound(authority)).toBe(false);
    expect(silent[0]!.aborted).toBe(true);
    expect(silent.slice(1).some((c) => c.aborted)).toBe(false);
    expect(gate.pendingFrom('127.0.0.1')).toBe(4);
    // Strangers' budget is untouched by the authority IP's connections.
    expect(gate.denyInbound(conn('10.0.0.9'))).toBe(false);
  });

  it('forgets a connection that closed before its handshake', () => {
    const gate = new InboundGate(opts);
    const c = conn('10.0.0.1');
    gate.denyInbound(c);
    gate.denyInbound(conn('10.0.0.1'));
    c.close();
    expect(gate.pendingFrom('10.0.0.1')).toBe(1);
    expect(gate.denyInbound(conn('10.0.0.1'))).toBe(false);
  });

  it('bans a peer until a deadline, then lets it back', () => {
    let now = 1000;
    const gate = new InboundGate({ ...opts, now: () => now });
    gate.ban('peer-a', 31_000);
    expect(gate.isBanned('peer-a')).toBe(true);
    expect(gate.isBanned('peer-b')).toBe(false);
    now = 31_001;
    expect(gate.isBanned('peer-a')).toBe(false);
  });
});

describe('PeerScores', () => {
  const base = { banThreshold: -100, banMs: 30_000, recoverPerSecond: 2, requestsPerSecond: 5, requestBurst: 10 };

  it('bans after five invalid messages in a row, resets the score, and recovers with time', () => {
    let now = 0;
    const bans: Array<[string, number]> = [];
    const s = new PeerScores({ ...base, now: () => now }, (peer, until) => bans.push([peer, until]));
    for (let i = 0; i < 4; i++) expect(s.penalize('p', Penalty.invalid)).toBe(false);
    expect(s.score('p')).toBe(-80);
    now = 10_000; // 20 points back
    expect(s.score('p')).toBe(-60);
    expect(s.penalize('p', Penalty.invalid)).toBe(false);
    expect(s.penalize('p', Penalty.invalid)).toBe(true);
    expect(bans).toEqual([['p', 40_000]]);
    expect(s.score('p')).toBe(0);
  });

  it('rate-limits requests with a token bucket and charges the excess', () => {
    let now = 0;
    const s = new PeerScores({ ...base, now: () => now }, () => undefined);
    let allowed = 0;
    for (let i = 0; i < 15; i++) if (s.allowRequest('p')) allowed++;
    expect(allowed).toBe(10);
    expect(s.score('p')).toBe(-5 * Penalty.rateLimited);
    now = 1000;
    expect(s.allowRequest('p')).toBe(true);
  });

  it('charges protocol violations only, not timeouts or resets', () => {
    expect(penaltyOf(new NetworkError(NetworkErrorCode.FRAME_TOO_LARGE, 'x'))).toBe(Penalty.invalid);
    expect(penaltyOf(new NetworkError(NetworkErrorCode.BAD_REQUEST, 'x'))).toBe(Penalty.invalid);
    expect(penaltyOf(new GossipValidationError(GossipAction.REJECT, 'INVALID', 'x'))).toBe(Penalty.invalid);
    expect(penaltyOf(new GossipValidationError(GossipAction.IGNORE, 'FROM_SELF', 'x'))).toBeUndefined();
    expect(penaltyOf(new NetworkError(NetworkErrorCode.TIMEOUT, 'x'))).toBeUndefined();
    expect(penaltyOf(new NetworkError(NetworkErrorCode.STREAM_ENDED, 'x'))).toBeUndefined();
    expect(penaltyOf(new Error('reset'))).toBeUndefined();
  });
});
