import { describe, it, expect } from '@jest/globals';
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { hexToBytes } from '@poa-vote/shared';
import { AuthorityBook, libp2pPrivateKey, peerIdOfAuthority } from '../../../src/network/index.js';
import { makeChain } from './fixtures.js';

const chain = makeChain(3);

describe('authority identities', () => {
  it('derives the same PeerId from the public key as libp2p derives from the seed', async () => {
    for (const k of chain.keys) {
      const fromSeed = peerIdFromPrivateKey(
        await generateKeyPairFromSeed('Ed25519', hexToBytes(k.privateKey)),
      ).toString();
      expect(peerIdOfAuthority(k.publicKey)).toBe(fromSeed);
      expect(peerIdFromPrivateKey(libp2pPrivateKey(k.privateKey)).toString()).toBe(fromSeed);
    }
  });

  it('gives distinct authorities distinct PeerIds', () => {
    const ids = chain.keys.map((k) => peerIdOfAuthority(k.publicKey));
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) expect(id).toMatch(/^12D3KooW/);
  });

  it('rejects a malformed public key with a clear error', () => {
    expect(() => peerIdOfAuthority('0x1234')).toThrow(/32 bytes/);
  });

  it('maps PeerIds to authority indexes and back', () => {
    const book = new AuthorityBook(chain.genesis);
    expect(book.size).toBe(3);
    chain.keys.forEach((k, i) => {
      const id = peerIdOfAuthority(k.publicKey);
      expect(book.indexOf(id)).toBe(i);
      expect(book.peerOf(i)).toBe(id);
    });
    expect(book.indexOf(peerIdOfAuthority(makeChain(1).keys[0]!.publicKey))).toBeUndefined();
    expect(book.peerOf(3)).toBeUndefined();
  });
});
