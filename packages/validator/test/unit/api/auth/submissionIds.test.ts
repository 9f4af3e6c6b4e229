import { describe, it, expect } from '@jest/globals';
import type { Hex } from '@poa-vote/shared';
import { JsonRpcError } from '../../../../src/api/jsonrpc/errors.js';
import {
  type ClaimTicket,
  MAX_SUBMISSION_ID_BYTES,
  SubmissionIdGuard,
  type SubmissionOwner,
  submissionIdOf,
} from '../../../../src/api/auth/index.js';

const H1 = `0x${'11'.repeat(32)}` as Hex;
const H2 = `0x${'22'.repeat(32)}` as Hex;

function ticket(r: ClaimTicket | JsonRpcError): ClaimTicket {
  if (r instanceof JsonRpcError) throw new Error(`expected a ticket, got ${r.message}`);
  return r;
}

function refusal(r: ClaimTicket | JsonRpcError): JsonRpcError {
  if (!(r instanceof JsonRpcError)) throw new Error('expected a refusal');
  return r;
}

describe('submissionIdOf', () => {
  it('stringifies numbers, skips null and notifications, refuses ids that cannot be stored faithfully', () => {
    expect(submissionIdOf(7)).toBe('7');
    expect(submissionIdOf('tx-1a2b')).toBe('tx-1a2b');
    expect(submissionIdOf('vote 😀')).toBe('vote 😀');
    expect(submissionIdOf(null)).toBeUndefined();
    expect(submissionIdOf(undefined)).toBeUndefined();
    for (const bad of ['', 'a\ud800', '\udc00b', 'x'.repeat(MAX_SUBMISSION_ID_BYTES + 1)]) {
      const e = submissionIdOf(bad);
      expect(e).toBeInstanceOf(JsonRpcError);
      expect((e as JsonRpcError).code).toBe(-32602);
      expect((e as JsonRpcError).data).toEqual({ code: 'SUBMISSION_ID_INVALID' });
    }
  });
});

describe('SubmissionIdGuard', () => {
  it('binds an id to its first vote: a different vote is refused, the same vote passes', async () => {
    const stored = new Map<string, SubmissionOwner>();
    const g = new SubmissionIdGuard(async (id) => stored.get(id));
    const t = ticket(await g.claim('tx-1', H1, undefined));
    stored.set('tx-1', { hash: H1 });
    t.release(true);
    expect(g.inFlight).toBe(0);
    const e = refusal(await g.claim('tx-1', H2, undefined));
    expect(e.code).toBe(-32602);
    expect(e.message).toContain('"tx-1"');
    expect(e.message).toContain(H1);
    expect(e.data).toMatchObject({ code: 'SUBMISSION_ID_TAKEN', id: 'tx-1', boundTo: H1, hash: H2 });
    ticket(await g.claim('tx-1', H1, undefined)).release(true);
  });

  it('lets only one of two concurrent, different votes under an id through', async () => {
    let resolveLookup!: (o: SubmissionOwner | undefined) => void;
    let lookups = 0;
    const g = new SubmissionIdGuard(() => {
      lookups++;
      return new Promise((r) => (resolveLookup = r));
    });
    const a = g.claim('race', H1, undefined);
    const b = g.claim('race', H2, undefined);
    const c = g.claim('race', H1, undefined); // a retry of the first joins it
    resolveLookup(undefined);
    const [ra, rb, rc] = await Promise.all([a, b, c]);
    expect(lookups).toBe(1);
    ticket(ra).release(true);
    expect(refusal(rb).data).toMatchObject({ code: 'SUBMISSION_ID_TAKEN', boundTo: H1 });
    expect(g.inFlight).toBe(1);
    ticket(rc).release(true);
    expect(g.inFlight).toBe(0);
  });

  it('frees the id when the node did not take the vote', async () => {
    const g = new SubmissionIdGuard(async () => undefined);
    ticket(await g.claim('free', H1, 'backend-1')).release(false);
    ticket(await g.claim('free', H2, 'backend-1')).release(true);
  });

  it('binds the credential too: another credential may not reuse the id, even for the identical vote', async () => {
    const stored = new Map<string, SubmissionOwner>();
    const g = new SubmissionIdGuard(async (id) => stored.get(id));
    ticket(await g.claim('cred', H1, 'backend-1')).release(true);
    stored.set('cred', { hash: H1 });
    const e = refusal(await g.claim('cred', H1, 'backend-2'));
    expect(e.message).toMatch(/another credential/);
    ticket(await g.claim('cred', H1, 'backend-1')).release(true);
    // In flight, too.
    const g2 = new SubmissionIdGuard(() => new Promise(() => undefined));
    void g2.claim('x', H1, 'backend-1');
    expect(refusal(await g2.claim('x', H1, 'backend-2')).data).toMatchObject({ code: 'SUBMISSION_ID_TAKEN' });
  });

  it('passes a lookup failure on and releases the claim', async () => {
    const g = new SubmissionIdGuard(async () => {
      throw new Error('database is closed');
    });
    await expect(g.claim('y', H1, undefined)).rejects.toThrow('database is closed');
    expect(g.inFlight).toBe(0);
  });
});
