import { describe, expect, it } from '@jest/globals';
import { OPEN_WRITE_ARGS, startArgs } from '@poa-vote/test-utils';

const node = { id: 'validator-1', keyFile: '/k.json', dataDir: '/d', rpcPort: 8001, p2pPort: 30303 };

describe('startArgs', () => {
  it('gives the validator its files, loopback ports, peers and log level', () => {
    expect(
      startArgs(node, { genesisFile: '/g.json', peers: ['/ip4/127.0.0.1/tcp/1', '/ip4/127.0.0.1/tcp/2'] }),
    ).toEqual([
      'start',
      '--genesis',
      '/g.json',
      '--key',
      '/k.json',
      '--data-dir',
      '/d',
      '--rpc-host',
      '127.0.0.1',
      '--rpc-port',
      '8001',
      '--p2p-host',
      '127.0.0.1',
      '--p2p-port',
      '30303',
      '--peers',
      '/ip4/127.0.0.1/tcp/1,/ip4/127.0.0.1/tcp/2',
      '--log-level',
      'info',
      '--insecure-open-writes',
    ]);
  });

  it('opens writes as asked, and puts extra arguments last', () => {
    const tail = (writes: 'open' | 'open-unlimited' | 'flags') =>
      startArgs(node, { genesisFile: '/g.json', writes, extraArgs: ['--x', '1'] }).slice(19);
    expect(tail('open')).toEqual(['--insecure-open-writes', '--x', '1']);
    expect(tail('open-unlimited')).toEqual([...OPEN_WRITE_ARGS, '--x', '1']);
    expect(tail('flags')).toEqual(['--x', '1']);
  });
});
