/** web3_* methods. */
import { z } from 'zod';
import { defineMethod } from '../types.js';
import type { MethodDeps, MethodTable } from './context.js';

/** The web3_* method group. */
export function web3Methods({ backend }: MethodDeps): MethodTable {
  return {
    web3_clientVersion: defineMethod({
      summary: 'The validator software and version',
      paramNames: [],
      params: z.tuple([]),
      result: z.string(),
      call: () => backend.clientVersion,
    }),
  };
}
