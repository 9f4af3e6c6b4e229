/** Choosing the genesis to verify against: by hash (fetched, then checked) or pasted. */
import { useState } from 'preact/hooks';
import { SELF, getJson } from '../api.js';
import { Hash } from '../components/Hash.js';
import { type Trust, trustByHash, trustPasted } from '../verify.js';
import { genesisHash, parseGenesis, quorumSize } from '@poa-vote/shared';

export interface TrustProps {
  trust: Trust | undefined;
  onTrust: (t: Trust) => void;
}

/** The banner on every view: what the page verifies against, or that it verifies nothing yet. */
export function TrustBar({ trust }: { trust: Trust | undefined }) {
  if (!trust) {
    return (
      <p class="trustbar" role="status">
        <strong>Not verifying yet.</strong> Choose the genesis you trust to check votes and results in this browser:{' '}
        <a href="#/trust">choose a genesis</a>.
      </p>
    );
  }
  return (
    <p class="trustbar trusted" role="status">
      <strong>Verifying against genesis</strong> <Hash value={trust.hash} /> (chain {trust.genesis.chainId}, authorities{' '}
      {trust.genesis.authorities.map((a) => a.id).join(', ')}). <a href="#/trust">Details</a>
    </p>
  );
}

export function TrustView({ trust, onTrust }: TrustProps) {
  const [hash, setHash] = useState('');
  const [pasted, setPasted] = useState('');
  const [error, setError] = useState<string>();
  const [offered, setOffered] = useState<string>();
  const [busy, setBusy] = useState(false);

  const byHash = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    setBusy(true);
    try {
      onTrust(await trustByHash(SELF, hash));
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const byPaste = (e: Event) => {
    e.preventDefault();
    setError(undefined);
    try {
      onTrust(trustPasted(pasted));
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const showServed = async () => {
    setError(undefined);
    try {
      const { body } = await getJson<unknown>(SELF, '/genesis');
      setOffered(genesisHash(parseGenesis(body)));
    } catch (err) {
      setError((err as Error).message);
    }
  };

  return (
    <section aria-labelledby="trust-h">
      <h2 id="trust-h">The genesis you trust</h2>
      <p>
        Everything this page verifies is checked in your browser against one genesis document: its authorities' public
        keys decide which blocks are final. Get its hash from the election authority (not from a validator), then enter
        it here or open a link that carries it (<code>?genesis=0x…</code>).
      </p>
      {trust && (
        <div class="card">
          <h3>Trusted now</h3>
          <dl class="facts">
            <dt>Hash</dt>
            <dd>
              <Hash value={trust.hash} />
            </dd>
            <dt>Source</dt>
            <dd>{trust.source}</dd>
            <dt>Chain id</dt>
            <dd>{trust.genesis.chainId}</dd>
            <dt>Quorum</dt>
            <dd>
              {quorumSize(trust.genesis)} of {trust.genesis.authorities.length} authorities ({trust.genesis.quorum})
            </dd>
          </dl>
          <h3>Authority keys</h3>
          <ul class="plain">
            {trust.genesis.authorities.map((a) => (
              <li>
                <strong>{a.id}</strong>: <Hash value={a.publicKey} />
              </li>
            ))}
          </ul>
        </div>
      )}
      {error && (
        <p class="alert" role="alert">
          {error}
        </p>
      )}
      <form class="inline" onSubmit={byHash}>
        <label>
          Genesis hash
          <input
            name="genesis-hash"
            value={hash}
            onInput={(e) => setHash((e.target as HTMLInputElement).value)}
            placeholder="0x…"
            autocomplete="off"
            spellcheck={false}
          />
        </label>
        <button type="submit" disabled={busy}>
          Trust this hash
        </button>
      </form>
      <p class="muted">
        The page fetches this validator's genesis and trusts it only if it hashes to what you entered.
      </p>
      <p>
        <button type="button" class="secondary" onClick={showServed}>
          Show the hash this validator runs
        </button>
        {offered && (
          <span>
            {' '}
            <Hash value={offered} /> (compare it with the one the election authority published before trusting it)
          </span>
        )}
      </p>
      <form onSubmit={byPaste}>
        <label for="genesis-json">Or paste the genesis document (JSON)</label>
        <textarea
          id="genesis-json"
          value={pasted}
          onInput={(e) => setPasted((e.target as HTMLTextAreaElement).value)}
          spellcheck={false}
        />
        <p>
          <button type="submit">Trust the pasted genesis</button>
        </p>
      </form>
    </section>
  );
}
