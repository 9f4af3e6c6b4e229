/** A vote by hash or submission id: its status, block and position, and its inclusion verified. */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, type ProofBody, type TransactionBody, getJson, validatorName } from '../api.js';
import { Hash } from '../components/Hash.js';
import { Steps } from '../components/Steps.js';
import { num } from '../format.js';
import { href } from '../router.js';
import { type Step, type Trust, verifyInclusion } from '../verify.js';

/** What each status means, for a voter. */
const STATUS: Record<string, string> = {
  accepted: 'Received by this validator; not yet confirmed stored by a quorum of validators.',
  replicated: 'Stored by a quorum of validators (acknowledged); waiting to be put in a block.',
  included: 'In a proposed block that most validators support; not final yet.',
  finalized: 'In a finalized block: it is counted and can never be removed.',
  rejected: 'Refused by the validators: it will not be counted.',
  unknown: 'Not known to this validator.',
};
const WAITING = new Set(['accepted', 'replicated', 'included']);

type Lookup =
  | { kind: 'missing'; ref: string; asked: number }
  | { kind: 'found'; tx: TransactionBody; via: string }
  | { kind: 'error'; message: string };

/**
 * Find a vote on the first validator that knows it. A submission id is known only to the
 * validator that took the vote, so every listed validator is asked; the hash then works anywhere.
 */
async function find(
  validators: string[],
  ref: string,
): Promise<{ tx: TransactionBody; via: string } | { missing: number } | { error: string }> {
  const errors: string[] = [];
  let asked = 0;
  for (const v of validators) {
    try {
      const { status, body } = await getJson<TransactionBody>(v, `/transactions/${encodeURIComponent(ref)}`, {
        accept: [404],
      });
      asked++;
      if (status !== 404) return { tx: body, via: v };
    } catch (err) {
      errors.push((err as Error).message);
    }
  }
  return asked > 0 ? { missing: asked } : { error: errors.join('; ') };
}

export function VoteView({
  voteRef,
  trust,
  validators,
}: {
  voteRef: string;
  trust: Trust | undefined;
  validators: string[];
}) {
  const [input, setInput] = useState(voteRef);
  const [lookup, setLookup] = useState<Lookup>();
  const [check, setCheck] = useState<{ ok: boolean; steps: Step[]; proof: ProofBody } | { error: string }>();

  useEffect(() => {
    setInput(voteRef);
    setLookup(undefined);
    setCheck(undefined);
    if (!voteRef) return;
    let stop = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let via: string | undefined;
    let ref = voteRef;
    const poll = async () => {
      try {
        const found = await find(via ? [via] : validators, ref);
        if (stop) return;
        if ('error' in found) {
          setLookup({ kind: 'error', message: found.error });
          return;
        }
        if ('missing' in found) {
          setLookup({ kind: 'missing', ref: voteRef, asked: found.missing });
          return;
        }
        via = found.via;
        ref = found.tx.hash;
        setLookup({ kind: 'found', tx: found.tx, via: found.via });
        if (WAITING.has(found.tx.state.state)) timer = setTimeout(poll, 1500);
        else if (found.tx.state.state === 'finalized') await verify(found.tx, found.via);
      } catch (err) {
        if (!stop) setLookup({ kind: 'error', message: (err as Error).message });
      }
    };
    const verify = async (tx: TransactionBody, from: string) => {
      try {
        const [{ body: proof }, { body: raw }] = await Promise.all([
          getJson<ProofBody>(from, `/transactions/${encodeURIComponent(tx.hash)}/proof`),
          getJson<{ block: unknown; certificate: unknown }>(from, `/blocks/${tx.blockNumber}`),
        ]);
        if (stop) return;
        if (!trust) {
          setCheck({ ok: false, steps: [], proof });
          return;
        }
        setCheck({ ...verifyInclusion(trust.genesis, raw, proof, tx.transaction, tx.hash), proof });
      } catch (err) {
        if (!stop)
          setCheck({ error: err instanceof ApiError ? err.message : `cannot verify: ${(err as Error).message}` });
      }
    };
    void poll();
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, [voteRef, trust, validators.join(',')]);

  const go = (e: Event) => {
    e.preventDefault();
    const v = input.trim();
    if (v) location.hash = href({ view: 'vote', ref: v });
  };

  return (
    <section aria-labelledby="vote-h">
      <h2 id="vote-h">Check a vote</h2>
      {/* biome-ignore lint/a11y/useSemanticElements: role="search" on the form is a landmark in every browser; the <search> element needs Chromium/Firefox 118 or Safari 17 */}
      <form class="inline" onSubmit={go} role="search">
        <label>
          Vote hash or submission id
          <input
            name="vote-ref"
            value={input}
            onInput={(e) => setInput((e.target as HTMLInputElement).value)}
            autocomplete="off"
            spellcheck={false}
            placeholder="0x… or the id your voting service gave you"
          />
        </label>
        <button type="submit">Look up</button>
      </form>
      <div aria-live="polite">
        {lookup?.kind === 'missing' && (
          <p class="alert" role="alert" data-testid="vote-missing">
            No vote with the hash or submission id “{lookup.ref}” is known to{' '}
            {lookup.asked === 1 ? 'this validator' : `any of the ${lookup.asked} validators asked`}. Check the id your
            voting service gave you; a vote cast a moment ago can take a few seconds to reach every validator.
          </p>
        )}
        {lookup?.kind === 'error' && (
          <p class="alert" role="alert">
            {lookup.message}
          </p>
        )}
        {lookup?.kind === 'found' && <VoteFacts tx={lookup.tx} via={lookup.via} />}
        {lookup?.kind === 'found' && lookup.tx.state.state === 'finalized' && <Inclusion check={check} trust={trust} />}
      </div>
    </section>
  );
}

function VoteFacts({ tx, via }: { tx: TransactionBody; via: string }) {
  const s = tx.state.state;
  return (
    <article class="card" data-testid="vote">
      <h3>
        Status:{' '}
        <span
          class={s === 'finalized' ? 'ok' : s === 'rejected' || s === 'unknown' ? 'bad' : 'warn'}
          data-testid="vote-status"
        >
          {s}
        </span>
      </h3>
      <p>
        {STATUS[s] ?? s}
        {tx.state.reason ? ` Reason: ${tx.state.reason}` : ''}
      </p>
      <dl class="facts">
        <dt>Found on</dt>
        <dd>{validatorName(via)}</dd>
        <dt>Vote hash</dt>
        <dd>
          <Hash value={tx.hash} />
        </dd>
        {tx.transaction && (
          <>
            <dt>Election</dt>
            <dd>{tx.transaction.to.replace(/^election-/, '')}</dd>
            <dt>Voter id</dt>
            <dd>{tx.transaction.from}</dd>
          </>
        )}
        {tx.blockNumber !== null && (
          <>
            <dt>Block</dt>
            <dd>{num(tx.blockNumber)}</dd>
          </>
        )}
        {tx.transactionIndex !== null && (
          <>
            <dt>Position</dt>
            <dd>vote {num(tx.transactionIndex + 1)} in its block</dd>
          </>
        )}
      </dl>
    </article>
  );
}

function Inclusion({
  check,
  trust,
}: {
  check: { ok: boolean; steps: Step[]; proof: ProofBody } | { error: string } | undefined;
  trust: Trust | undefined;
}) {
  if (!check) return <p class="notice">Fetching the inclusion proof…</p>;
  if ('error' in check)
    return (
      <p class="alert" role="alert">
        {check.error}
      </p>
    );
  if (!trust)
    return (
      <p class="notice">
        The validator sent an inclusion proof ({check.proof.siblings.length} hashes). To check it in this browser,{' '}
        <a href="#/trust">choose the genesis you trust</a>.
      </p>
    );
  return (
    <div class={check.ok ? 'success' : 'alert'} role={check.ok ? 'status' : 'alert'} data-testid="inclusion">
      <strong>{check.ok ? '✓ Inclusion verified in this browser' : '✗ The inclusion proof does not verify'}</strong>
      <p>
        Against genesis <Hash value={trust.hash} />, whose authorities are{' '}
        {trust.genesis.authorities.map((a) => a.id).join(', ')}:
      </p>
      <Steps steps={check.steps} />
    </div>
  );
}
