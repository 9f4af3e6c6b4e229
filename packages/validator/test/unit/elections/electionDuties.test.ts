/** The node's trustee subsystem: the secret is durable before the key leaves; a duty in flight is not sent twice. */
import { describe, expect, it } from '@jest/globals';
import {
  type Block,
  CONFIG_TYPE,
  ElectionRegistry,
  Signer,
  generateKeyPair,
  parseGenesis,
  seededRng,
  signElectionTx,
} from '@poa-vote/shared';
import { ElectionDuties } from '../../../src/node/electionDuties.js';
import { Trustee, type TrusteeRecord } from '../../../src/elections/trustee.js';
import { silentLogger } from '../../../src/util/logger.js';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('ElectionDuties', () => {
  it('makes the trustee record durable before submitting the key, and does not resend a duty in flight', async () => {
    const keys = [1, 2, 3].map(() => generateKeyPair());
    const op = generateKeyPair();
    const genesis = parseGenesis({
      chainId: 3,
      genesisTime: 0,
      authorities: keys.map((k, i) => ({ id: `v${i + 1}`, publicKey: k.publicKey })),
      electionOperator: op.publicKey,
    });
    const registry = new ElectionRegistry(genesis);
    const config = {
      type: CONFIG_TYPE,
      v: 1,
      electionId: 'x',
      candidates: ['a', 'b'],
      ballotFormat: 'encrypted',
      openHeight: 5,
      closeHeight: 50,
    };
    registry.apply({
      header: { height: 1 },
      transactions: [signElectionTx(genesis, new Signer(op.privateKey), 'election', 'x', config)],
    } as unknown as Block);
    const events: string[] = [];
    const records = new Map<string, TrusteeRecord>();
    const store = {
      get: (id: string) => records.get(id),
      put: async (r: TrusteeRecord) => {
        await tick();
        records.set(r.electionId, r);
        events.push(`put ${r.electionId}`);
      },
    };
    const signer = new Signer(keys[1]?.privateKey ?? op.privateKey);
    const duties = new ElectionDuties({
      registry,
      trustee: new Trustee({ genesis, self: 1, signer, rng: seededRng('duties'), store }),
      store,
      submit: async (items) => {
        events.push(`submit ${items.map((i) => i.tx.from).join(',')}`);
        return items.map(() => ({ ok: true as const, hash: '0x00', known: false }));
      },
      logger: silentLogger,
    });
    duties.start();
    for (let k = 0; k < 5 && events.length < 2; k++) await tick();
    expect(events).toEqual(['put x', 'submit @poa/dkg-key/v2']);
    duties.onEvent({ type: 'finalized', block: {} as Block, certificate: {} as never });
    for (let k = 0; k < 5; k++) await tick();
    expect(events).toHaveLength(2);
    duties.stop();
  });
});
