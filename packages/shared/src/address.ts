/**
 * 20-byte Ethereum-style addresses for the ids this chain uses (voters, elections, authorities),
 * so that tools which validate `from`, `to` and `miner` as addresses can read the chain. An
 * address is derived, never signed for: it names an id, it proves nothing (PROTOCOL.md §15).
 *
 *   address(kind, value) = last 20 bytes of H(UTF8("poa-evote/address/v1/" || kind || "/" || value))
 *
 * with kind `voter` (the voter id), `election` (the whole `to`, "election-<id>") or `authority`
 * (the authority's public key, lowercase 0x-hex). The kind in the hashed text keeps a voter
 * called "election-1" from sharing an address with election 1.
 */
import { type Hex } from './encoding.js';
import { sha256Utf8Hex } from './hash.js';

/** The domain prefix of every derived address. */
export const ADDRESS_DOMAIN = 'poa-evote/address/v1/';

/** What a derived address stands for. */
export type AddressKind = 'voter' | 'election' | 'authority';

/** The derived address of an id: the last 20 bytes of a domain-separated SHA-256, lowercase hex. */
export function deriveAddress(kind: AddressKind, value: string): Hex {
  return `0x${sha256Utf8Hex(`${ADDRESS_DOMAIN}${kind}/${value}`).slice(2 + 24)}` as Hex;
}

/** The `from` address of a voter id. */
export function voterAddress(voterId: string): Hex {
  return deriveAddress('voter', voterId);
}

/** The `to` address of an election, from the transaction's `to` ("election-7"). */
export function electionAddress(to: string): Hex {
  return deriveAddress('election', to);
}

/** The `miner` address of an authority, from its public key. */
export function authorityAddress(publicKey: string): Hex {
  return deriveAddress('authority', publicKey.toLowerCase());
}
