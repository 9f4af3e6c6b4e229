import { describe, it, expect } from '@jest/globals';
import { authorityAddress, deriveAddress, electionAddress, voterAddress } from '../../src/index.js';

// The vectors of PROTOCOL.md §15, computed independently with node:crypto.
describe('derived addresses', () => {
  it('are the last 20 bytes of sha256("poa-evote/address/v1/<kind>/<value>")', () => {
    expect(voterAddress('voter-42')).toBe('0xd60f628efcde110c6ac3873a0d32dc63641837dd');
    expect(electionAddress('election-7')).toBe('0xaa589b7222fef121eff292f8f3660788c42b56d9');
    expect(authorityAddress('0x3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29')).toBe(
      '0x151832420dc6d3b12e92cc96efad89e0b69a15e8',
    );
  });

  it('separate kinds: a voter named like an election has another address', () => {
    expect(voterAddress('election-7')).not.toBe(electionAddress('election-7'));
    expect(voterAddress('election-7')).toBe('0xda7db1646455d24eb5e7663d0a8decf6f5d0b73e');
    expect(deriveAddress('voter', 'election-7')).toBe(voterAddress('election-7'));
  });

  it('take authority keys in any case', () => {
    const key = '0x3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29';
    expect(authorityAddress(key.toUpperCase().replace('0X', '0x'))).toBe(authorityAddress(key));
  });
});
