import { describe, it, expect } from '@jest/globals';
import {
  Network,
  NetworkError,
  NetworkErrorCode,
  type NetworkOptions,
  defaultNetworkOptions,
  resolveNetworkOptions,
} from '../../../src/network/index.js';
import { makeChain } from './fixtures.js';

const chain = makeChain(3);
const base: NetworkOptions = {
  genesis: chain.genesis,
  self: 1,
  privateKey: chain.keys[1]!.privateKey,
  listenHost: '127.0.0.1',
  listenPort: 0,
  peers: [],
};

function invalid(patch: Partial<NetworkOptions>, message: RegExp): void {
  let err: unknown;
  try {
    resolveNetworkOptions({ ...base, ...patch });
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(NetworkError);
  expect((err as NetworkError).code).toBe(NetworkErrorCode.INVALID_OPTIONS);
  expect((err as NetworkError).message).toMatch(message);
}

describe('resolveNetworkOptions', () => {
  it('fills defaults and parses bootstrap peers', () => {
    const o = resolveNetworkOptions({ ...base, peers: ['/ip4/127.0.0.1/tcp/30303'] });
    expect(o.maxMessageBytes).toBe(16 * 1024 * 1024);
    expect(o.redialIntervalMs).toBe(defaultNetworkOptions.redialIntervalMs);
    expect(o.publicKey).toBe(chain.keys[1]!.publicKey);
    expect(o.peers.map(String)).toEqual(['/ip4/127.0.0.1/tcp/30303']);
  });

  it('names the bad field', () => {
    invalid({ self: 3 }, /self must be an authority index in 0\.\.2/);
    invalid({ privateKey: chain.keys[0]!.privateKey }, /privateKey does not belong to authority 1 \(validator-2\)/);
    invalid({ privateKey: '0x12' }, /privateKey must be a 32-byte Ed25519 seed/);
    invalid({ listenHost: 'localhost' }, /listenHost must be an IPv4 or IPv6 address/);
    invalid({ listenPort: 70000 }, /listenPort must be 0\.\.65535/);
    invalid({ peers: ['not a multiaddr'] }, /peers\[0\] "not a multiaddr" is not a multiaddr/);
    invalid({ maxMessageBytes: -1 }, /maxMessageBytes must be a positive integer/);
    invalid({ maxTxBatchBytes: 32 * 1024 * 1024 }, /maxTxBatchBytes must not exceed maxMessageBytes/);
  });

  it('is applied by Network.create', async () => {
    await expect(Network.create({ ...base, self: -1 })).rejects.toThrow(/self must be an authority index/);
  });
});
