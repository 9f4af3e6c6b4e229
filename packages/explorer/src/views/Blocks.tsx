/** The latest finalized blocks, newest first: proposer, slot, votes, certificate signers; live. */
import { useEffect, useState } from 'preact/hooks';
import type { Block, QuorumCertificate } from '@poa-vote/shared';
import { type BlockchainBody, type HealthBody, SELF, getJson, quantity, subscribeHeads } from '../api.js';
import { Hash } from '../components/Hash.js';
import { num, plural, when } from '../format.js';
import { type Trust, verifyBlockAlone } from '../verify.js';

const SHOWN = 15;

interface Row {
  height: number;
  block: Block;
  certificate: QuorumCertificate;
  /** Verification against the trusted genesis: undefined when there is none. */
  verified?: { ok: boolean; text: string };
}

export function BlocksView({ trust }: { trust: Trust | undefined }) {
  const [rows, setRows] = useState<Row[]>([]);
  const [ids, setIds] = useState<string[]>([]);
  const [error, setError] = useState<string>();
  const [live, setLive] = useState(false);

  useEffect(() => {
    let stop = false;
    const have = new Map<number, Row>();
    const load = async (upTo: number) => {
      const wanted = Array.from({ length: Math.min(SHOWN, upTo) }, (_, i) => upTo - i).filter((h) => !have.has(h));
      const got = await Promise.all(
        wanted.map((h) => getJson<{ block: Block; certificate: QuorumCertificate }>(SELF, `/blocks/${h}`)),
      );
      for (const { body } of got) {
        const row: Row = { height: body.block.header.height, block: body.block, certificate: body.certificate };
        if (trust) {
          const r = verifyBlockAlone(trust.genesis, body);
          row.verified =
            'error' in r
              ? { ok: false, text: r.error }
              : {
                  ok: true,
                  text: 'Verified: proposer signature and finality certificate checked against the trusted genesis keys',
                };
        }
        have.set(row.height, row);
      }
      if (!stop) setRows([...have.values()].sort((a, b) => b.height - a.height).slice(0, SHOWN));
    };
    const start = async () => {
      try {
        const [{ body: health }, { body: chain }] = await Promise.all([
          getJson<HealthBody>(SELF, '/health', { accept: [503] }),
          getJson<BlockchainBody>(SELF, '/blockchain'),
        ]);
        if (stop) return;
        setIds(chain.authorities.map((a) => a.id));
        await load(health.finalized_height);
        setError(undefined);
      } catch (err) {
        if (!stop) setError((err as Error).message);
      }
    };
    void start();
    const unsubscribe = subscribeHeads(
      SELF,
      ['finalizedHeads'],
      (_t, h) => void load(quantity(h.number)).catch((err: Error) => !stop && setError(err.message)),
      setLive,
    );
    return () => {
      stop = true;
      unsubscribe();
    };
  }, [trust]);

  const name = (i: number) => trust?.genesis.authorities[i]?.id ?? ids[i] ?? `authority #${i}`;
  return (
    <section aria-labelledby="blocks-h">
      <h2 id="blocks-h">Latest blocks</h2>
      <p class={live ? 'live on' : 'live'}>
        {live ? 'Live: finalized blocks appear as they are made' : 'Not live: reconnecting…'}
      </p>
      {error && (
        <p class="alert" role="alert">
          {error}
        </p>
      )}
      {rows.length === 0 && !error && <p>No finalized block yet.</p>}
      {rows.map((r) => (
        <article class="card" key={r.height} aria-labelledby={`b-${r.height}`}>
          <h3 id={`b-${r.height}`}>Block {num(r.height)}</h3>
          <dl class="facts">
            <dt>Proposer</dt>
            <dd>{name(r.block.header.proposer)}</dd>
            <dt>Slot</dt>
            <dd>
              {num(r.block.header.slot)} ({when(r.block.header.timestamp)})
            </dd>
            <dt>Votes</dt>
            <dd>{plural(r.block.header.txCount, 'vote')}</dd>
            <dt>Final by</dt>
            <dd>{r.certificate.signatures.map((s) => name(s.validator)).join(', ')}</dd>
            <dt>Hash</dt>
            <dd>
              <Hash value={r.block.hash} />
            </dd>
          </dl>
          {r.verified ? (
            <p class={r.verified.ok ? 'ok' : 'bad'}>
              {r.verified.ok ? `✓ ${r.verified.text}` : `✗ Does not verify: ${r.verified.text}`}
            </p>
          ) : (
            <p class="muted">Not verified (no trusted genesis).</p>
          )}
        </article>
      ))}
    </section>
  );
}
