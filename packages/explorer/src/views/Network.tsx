/** Network status: each validator's health, heights, peers and last block age, live over WebSocket. */
import { useEffect, useState } from 'preact/hooks';
import { type HealthBody, SELF, getJson, quantity, subscribeHeads, validatorName } from '../api.js';
import { duration, num, plural } from '../format.js';
import { setParam } from '../router.js';

/** Poll /health this often besides the pushed heads (peers and health change without a block). */
const HEALTH_POLL_MS = 3000;

function ValidatorCard({ base }: { base: string }) {
  const [health, setHealth] = useState<HealthBody>();
  const [error, setError] = useState<string>();
  const [live, setLive] = useState(false);
  const [heads, setHeads] = useState<{ head?: number; finalized?: number; finalizedAt?: number }>({});
  // Re-render every second so that the last block's age counts up.
  const [, setTick] = useState(0);

  useEffect(() => {
    let stop = false;
    const poll = async () => {
      try {
        const { body } = await getJson<HealthBody>(base, '/health', { accept: [503] });
        if (!stop) {
          setHealth(body);
          setError(undefined);
        }
      } catch (err) {
        if (!stop) setError((err as Error).message);
      }
    };
    void poll();
    const timer = setInterval(poll, HEALTH_POLL_MS);
    const tick = setInterval(() => setTick((t) => t + 1), 1000);
    const unsubscribe = subscribeHeads(
      base,
      ['newHeads', 'finalizedHeads'],
      (topic, h) =>
        setHeads((prev) =>
          topic === 'finalizedHeads'
            ? {
                ...prev,
                finalized: quantity(h.number),
                finalizedAt: h.timestampMs,
                head: Math.max(prev.head ?? 0, quantity(h.number)),
              }
            : { ...prev, head: quantity(h.number) },
        ),
      setLive,
    );
    return () => {
      stop = true;
      clearInterval(timer);
      clearInterval(tick);
      unsubscribe();
    };
  }, [base]);

  const finalized = Math.max(heads.finalized ?? 0, health?.finalized_height ?? 0);
  const head = Math.max(heads.head ?? 0, health?.head_height ?? 0, finalized);
  const age =
    heads.finalizedAt !== undefined && (heads.finalized ?? 0) >= (health?.finalized_height ?? 0)
      ? Math.max(0, Date.now() - heads.finalizedAt)
      : (health?.last_block_age_ms ?? null);
  return (
    <article class="card" aria-label={validatorName(base)} data-validator={base}>
      <h3>
        {health ? health.node_id : validatorName(base)} <span class="muted">({validatorName(base)})</span>
      </h3>
      {error && !health && <p class="bad">{error}</p>}
      {error && health && <p class="bad">Not answering any more: {error}</p>}
      {health && (
        <dl class="facts">
          <dt>Health</dt>
          <dd class={health.healthy ? 'ok' : 'bad'} data-field="health">
            {health.healthy ? 'Healthy' : `Unhealthy: ${health.reasons.join('; ') || health.status}`}
          </dd>
          <dt>Finalized height</dt>
          <dd data-field="finalized">{num(finalized)}</dd>
          <dt>Head height</dt>
          <dd>{num(head)}</dd>
          <dt>Peers</dt>
          <dd>{plural(health.peers, 'authority', 'authorities')} connected</dd>
          <dt>Last block</dt>
          <dd>{age === null ? 'no block yet' : `${duration(age)} ago`}</dd>
        </dl>
      )}
      <p class={live ? 'live on' : 'live'}>
        {live ? 'Live: new blocks are pushed to this page' : 'Not live: reconnecting to its WebSocket…'}
      </p>
    </article>
  );
}

export function NetworkView({
  validators,
  onValidators,
}: {
  validators: string[];
  onValidators: (v: string[]) => void;
}) {
  const [input, setInput] = useState('');
  const [error, setError] = useState<string>();
  const add = (e: Event) => {
    e.preventDefault();
    try {
      const url = new URL(input.trim());
      if (url.protocol !== 'http:' && url.protocol !== 'https:')
        throw new Error('the address must start with http:// or https://');
      const base = url.origin;
      const next = [...new Set([...validators, base])];
      onValidators(next);
      setParam('validators', next.filter((v) => v !== SELF).join(','));
      setInput('');
      setError(undefined);
    } catch (err) {
      setError(`"${input}" is not a validator address: ${(err as Error).message}`);
    }
  };
  return (
    <section aria-labelledby="net-h">
      <h2 id="net-h">Network</h2>
      <p class="muted">
        This validator, and the others you list. Other validators answer this page only if they list its address in
        their <code>--rpc-cors-origins</code>.
      </p>
      {validators.map((v) => (
        <ValidatorCard key={v} base={v} />
      ))}
      <form class="inline" onSubmit={add}>
        <label>
          Add a validator
          <input
            value={input}
            onInput={(e) => setInput((e.target as HTMLInputElement).value)}
            placeholder="http://127.0.0.1:8002"
            inputMode="url"
            autocomplete="off"
          />
        </label>
        <button type="submit">Add</button>
      </form>
      {error && (
        <p class="alert" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
