/** GET /blockchain answers. */
import { asObject, natField, optString, pick, toNat } from './fields.js';

export interface BlockchainAuthority {
  id: string;
  publicKey?: string;
  name?: string;
}

export interface BlockchainInfo {
  chainId: number;
  height: number;
  finalizedHeight: number;
  headHash: string | undefined;
  authorities: BlockchainAuthority[];
  /** Finalized votes (in the election asked about, when one was given). */
  voteCount: number;
  /** The validator's own claim about its chain: informative only, never trusted by verify/. */
  verification: { chainValid: boolean; checkedBlocks: number; errors: string[] };
}

/** Normalize /blockchain. */
export function formatBlockchain(raw: unknown, url?: string): BlockchainInfo {
  const o = asObject(raw, 'blockchain', url);
  const auth = pick(o, 'authorities');
  const v = pick(o, 'verification');
  const ver = typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};
  const errors = pick(ver, 'errors');
  return {
    chainId: natField(o, 'blockchain', url, 'chain_id', 'chainId'),
    height: natField(o, 'blockchain', url, 'height'),
    finalizedHeight: natField(o, 'blockchain', url, 'finalized_height', 'finalizedHeight'),
    headHash: optString(o, 'head_hash', 'headHash'),
    authorities: Array.isArray(auth)
      ? auth.map((a) => {
          if (typeof a === 'string') return { id: a };
          const r = (typeof a === 'object' && a !== null ? a : {}) as Record<string, unknown>;
          const out: BlockchainAuthority = { id: String(r.id ?? r.node_id ?? '') };
          const key = r.publicKey ?? r.public_key;
          if (typeof key === 'string') out.publicKey = key;
          if (typeof r.name === 'string') out.name = r.name;
          return out;
        })
      : [],
    voteCount: toNat(pick(o, 'vote_count', 'voteCount')) ?? 0,
    verification: {
      chainValid: pick(ver, 'chain_valid', 'chainValid') === true,
      checkedBlocks: toNat(pick(ver, 'checked_blocks', 'checkedBlocks')) ?? 0,
      errors: Array.isArray(errors) ? errors.map(String) : [],
    },
  };
}
