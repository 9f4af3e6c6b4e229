/**
 * An election: the results a validator publishes (chart, table, totals), the votes per block over
 * time, and the recount from the verified chain compared with what is published. Refreshed as
 * blocks finalize.
 */
import { at } from '@poa-vote/shared';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { type ResultsBody, SELF, getJson, subscribeHeads } from '../api.js';
import { BarChart } from '../components/Chart.js';
import { Hash } from '../components/Hash.js';
import { num, pct, plural, when } from '../format.js';
import { href } from '../router.js';
import { ChainAuditor, type Trust, compareCounts } from '../verify.js';

type Audit =
  | { kind: 'pending'; height: number; target: number }
  | {
      kind: 'done';
      height: number;
      diffs: ReturnType<typeof compareCounts>;
      counted: number;
      published: number;
      perBlock: { height: number; votes: number; timestamp: number }[];
    }
  | { kind: 'error'; message: string };

export function ElectionView({ id, trust }: { id: string; trust: Trust | undefined }) {
  const [results, setResults] = useState<ResultsBody>();
  const [error, setError] = useState<string>();
  const [audit, setAudit] = useState<Audit>();
  const [live, setLive] = useState(false);
  const [input, setInput] = useState(id);

  useEffect(() => {
    let stop = false;
    const auditor = trust ? new ChainAuditor(trust, SELF) : undefined;
    const tally = auditor?.track(id);
    let busy = false;
    let again = false;
    const refresh = async (): Promise<void> => {
      if (busy) {
        again = true;
        return;
      }
      busy = true;
      try {
        const { body } = await getJson<ResultsBody>(SELF, `/results?election_id=${encodeURIComponent(id)}`);
        if (stop) return;
        setResults(body);
        setError(undefined);
        if (auditor && tally && auditor.cursor.height < body.height) {
          setAudit((a) =>
            a?.kind === 'done' ? a : { kind: 'pending', height: auditor.cursor.height, target: body.height },
          );
          await auditor.advanceTo(
            body.height,
            (h) =>
              !stop && setAudit((a) => (a?.kind === 'done' ? a : { kind: 'pending', height: h, target: body.height })),
          );
        }
        if (stop || !auditor || !tally) return;
        if (auditor.error) setAudit({ kind: 'error', message: auditor.error });
        else if (auditor.cursor.height === body.height)
          setAudit({
            kind: 'done',
            height: body.height,
            diffs: compareCounts(tally.counts, body.counts),
            counted: tally.total,
            published: body.total,
            perBlock: [...tally.perBlock],
          });
      } catch (err) {
        if (!stop) setError((err as Error).message);
      } finally {
        busy = false;
        if (again && !stop) {
          again = false;
          void refresh();
        }
      }
    };
    void refresh();
    const unsubscribe = subscribeHeads(SELF, ['finalizedHeads'], () => void refresh(), setLive);
    return () => {
      stop = true;
      unsubscribe();
    };
  }, [id, trust]);

  const rows = useMemo(
    () => (results ? Object.entries(results.counts).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)) : []),
    [results],
  );
  const go = (e: Event) => {
    e.preventDefault();
    const v = input.trim();
    if (v) location.hash = href({ view: 'election', id: v });
  };

  return (
    <section aria-labelledby="el-h">
      <h2 id="el-h">Election {id}</h2>
      <form class="inline" onSubmit={go}>
        <label>
          Election id
          <input
            value={input}
            onInput={(e) => setInput((e.target as HTMLInputElement).value)}
            inputMode="numeric"
            autocomplete="off"
          />
        </label>
        <button type="submit">Show</button>
      </form>
      <p class={live ? 'live on' : 'live'}>{live ? 'Live: refreshed as blocks finalize' : 'Not live: reconnecting…'}</p>
      {error && (
        <p class="alert" role="alert">
          {error}
        </p>
      )}
      <AuditPanel audit={audit} trust={trust} />
      {results && (
        <>
          <h3>Results published by this validator</h3>
          <p data-testid="published-total">
            <strong>{plural(results.total, 'vote')}</strong> counted over the finalized chain up to block{' '}
            {num(results.height)}.
          </p>
          {rows.length > 0 ? (
            <>
              <BarChart
                labels={rows.map((r) => r[0])}
                values={rows.map((r) => r[1])}
                label={`Votes by candidate in election ${id}: ${rows.map(([c, n]) => `${c} ${n}`).join(', ')}`}
                horizontal
              />
              <table data-testid="results">
                <caption class="muted">Votes by candidate</caption>
                <thead>
                  <tr>
                    <th scope="col">Candidate</th>
                    <th scope="col" class="num">
                      Votes
                    </th>
                    <th scope="col" class="num">
                      Share
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map(([c, n]) => (
                    <tr>
                      <th scope="row">{c}</th>
                      <td class="num">{num(n)}</td>
                      <td class="num">{pct(n, results.total)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          ) : (
            <p>No votes yet.</p>
          )}
        </>
      )}
      {audit?.kind === 'done' && audit.perBlock.length > 0 && <PerBlock perBlock={audit.perBlock} id={id} />}
    </section>
  );
}

function PerBlock({ perBlock, id }: { perBlock: { height: number; votes: number; timestamp: number }[]; id: string }) {
  const recent = perBlock.slice(-40);
  const first = at(recent, 0, 'recent block');
  const last = at(recent, -1, 'recent block');
  return (
    <>
      <h3>Votes per block over time</h3>
      <p class="muted">
        {plural(perBlock.length, 'block')} of the verified chain hold votes of this election; the last{' '}
        {num(recent.length)} from {when(first.timestamp)} to {when(last.timestamp)}.
      </p>
      <BarChart
        small
        labels={recent.map((b) => `#${b.height}`)}
        values={recent.map((b) => b.votes)}
        label={`Votes of election ${id} in each block, from block ${first.height} to ${last.height}`}
        color="#1a7f37"
      />
    </>
  );
}

function AuditPanel({ audit, trust }: { audit: Audit | undefined; trust: Trust | undefined }) {
  if (!trust)
    return (
      <p class="notice">
        These are the numbers a validator publishes. To recount them yourself from the chain,{' '}
        <a href="#/trust">choose the genesis you trust</a>.
      </p>
    );
  if (!audit) return <p class="notice">Preparing the recount…</p>;
  const keys = trust.genesis.authorities.map((a) => a.id).join(', ');
  if (audit.kind === 'pending')
    return (
      <p class="notice" role="status">
        Recounting from the chain: verified {num(audit.height)} of {num(audit.target)} blocks…
      </p>
    );
  if (audit.kind === 'error')
    return (
      <div class="alert" role="alert" data-testid="audit">
        <strong>✗ The chain does not verify.</strong> {audit.message}. The results shown below cannot be trusted.
      </div>
    );
  if (audit.diffs.length === 0 && audit.counted === audit.published)
    return (
      <div class="success" role="status" data-testid="audit">
        <strong>✓ Verified: the published results match the recount.</strong> Blocks 1 to {num(audit.height)} were
        verified in this browser from genesis <Hash value={trust.hash} /> (keys of {keys}), and their votes recounted:{' '}
        {plural(audit.counted, 'vote')}.
      </div>
    );
  return (
    <div class="alert" role="alert" data-testid="audit">
      <strong>✗ Mismatch: the published results differ from the verified chain at block {num(audit.height)}.</strong>
      <p>
        The validator publishes {plural(audit.published, 'vote')}; the chain, verified from genesis{' '}
        <Hash value={trust.hash} /> (keys of {keys}), holds {plural(audit.counted, 'vote')}.
      </p>
      <table data-testid="differences">
        <thead>
          <tr>
            <th scope="col">Candidate</th>
            <th scope="col" class="num">
              Published
            </th>
            <th scope="col" class="num">
              Verified count
            </th>
          </tr>
        </thead>
        <tbody>
          {audit.diffs.map((d) => (
            <tr>
              <th scope="row">{d.candidate}</th>
              <td class="num">{num(d.published)}</td>
              <td class="num">{num(d.counted)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
