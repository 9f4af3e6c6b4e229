/** net_* methods. */
import { z } from 'zod';
import { toQuantity } from '@poa-vote/shared';
import { defineMethod } from '../types.js';
import type { MethodDeps, MethodTable } from './context.js';

/** The net_* method group. */
export function netMethods({ backend }: MethodDeps): MethodTable {
  const noParams = z.tuple([]);
  return {
    // Ethereum serves the network id as a decimal string.
    net_version: defineMethod({ paramNames: [], params: noParams, call: () => String(backend.chainId) }),
    net_peerCount: defineMethod({ paramNames: [], params: noParams, call: () => toQuantity(backend.peerCount()) }),
    net_listening: defineMethod({ paramNames: [], params: noParams, call: () => true }),
  };
}
