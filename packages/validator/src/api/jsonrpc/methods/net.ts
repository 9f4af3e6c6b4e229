/** net_* methods. */
import { z } from 'zod';
import { quantitySchema, toQuantity } from '@poa-vote/shared';
import { defineMethod } from '../types.js';
import type { MethodDeps, MethodTable } from './context.js';

/** The net_* method group. */
export function netMethods({ backend }: MethodDeps): MethodTable {
  const noParams = z.tuple([]);
  return {
    // Ethereum serves the network id as a decimal string.
    net_version: defineMethod({
      summary: 'The chainId as a decimal string',
      paramNames: [],
      params: noParams,
      result: z.string().regex(/^[1-9][0-9]*$/),
      call: () => String(backend.chainId),
    }),
    net_peerCount: defineMethod({
      summary: 'Connected authorities other than this one',
      paramNames: [],
      params: noParams,
      result: quantitySchema,
      call: () => toQuantity(backend.peerCount()),
    }),
    net_listening: defineMethod({
      summary: 'Always true',
      paramNames: [],
      params: noParams,
      result: z.literal(true),
      call: () => true,
    }),
  };
}
