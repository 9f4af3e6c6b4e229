/** The genesis verification trusts: given per call or configured on the client. */
import { ProtocolError, parseGenesis, type Genesis } from '@poa-vote/shared';
import type { ClientContext } from '../context.js';
import { InvalidArgumentError } from '../errors.js';

/**
 * Validate a genesis document; InvalidArgumentError names the bad field.
 * @example
 * const genesis = toGenesis(JSON.parse(await readFile('genesis.json', 'utf8')));
 */
export function toGenesis(input: unknown): Genesis {
  try {
    return parseGenesis(input);
  } catch (err) {
    if (err instanceof ProtocolError) throw new InvalidArgumentError('genesis', err.message);
    throw err;
  }
}

/** The genesis to verify against: the call's, else the client's, else an error saying so. */
export function trustedGenesis(client: ClientContext, genesis: unknown): Genesis {
  if (genesis !== undefined) return toGenesis(genesis);
  if (client.genesis) return client.genesis;
  throw new InvalidArgumentError(
    'genesis',
    'verification needs the genesis document the client trusts: pass it to createVotingClient({ genesis }) or to this call',
  );
}
