/** The explorer: network, blocks, an election and a vote, verified in the browser against a trusted genesis. */
import { must } from '@poa-vote/shared';
import { type JSX, render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { SELF } from './api.js';
import { type Route, currentRoute, href, param, setParam } from './router.js';
import { type Trust, trustByHash } from './verify.js';
import { BlocksView } from './views/Blocks.js';
import { ElectionView } from './views/Election.js';
import { NetworkView } from './views/Network.js';
import { TrustBar, TrustView } from './views/Trust.js';
import { VoteView } from './views/Vote.js';

/** Validator base URLs from `?validators=a,b` (this page's own validator always first). */
function validatorsFromQuery(): string[] {
  const extra = (param('validators') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .flatMap((s) => {
      try {
        return [new URL(s).origin];
      } catch {
        return [];
      }
    });
  return [...new Set([SELF, ...extra])];
}

const NAV: { route: Route; label: string }[] = [
  { route: { view: 'network' }, label: 'Network' },
  { route: { view: 'blocks' }, label: 'Blocks' },
  { route: { view: 'election', id: '1' }, label: 'Election' },
  { route: { view: 'vote', ref: '' }, label: 'Check a vote' },
  { route: { view: 'trust' }, label: 'Trusted genesis' },
];

function App() {
  const [route, setRoute] = useState<Route>(currentRoute());
  const [trust, setTrust] = useState<Trust>();
  const [trustError, setTrustError] = useState<string>();
  const [validators, setValidators] = useState(validatorsFromQuery());

  useEffect(() => {
    const onHash = () => {
      setRoute(currentRoute());
      document.getElementById('main')?.focus();
    };
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    const wanted = param('genesis');
    if (wanted) trustByHash(SELF, wanted).then(setTrust, (err: Error) => setTrustError(err.message));
  }, []);
  const onTrust = (t: Trust) => {
    setTrust(t);
    setTrustError(undefined);
    setParam('genesis', t.hash);
  };

  let view: JSX.Element;
  switch (route.view) {
    case 'network':
      view = <NetworkView validators={validators} onValidators={setValidators} />;
      break;
    case 'blocks':
      view = <BlocksView trust={trust} />;
      break;
    case 'election':
      view = <ElectionView key={route.id} id={route.id} trust={trust} />;
      break;
    case 'vote':
      view = <VoteView voteRef={route.ref} trust={trust} validators={validators} />;
      break;
    case 'trust':
      view = <TrustView trust={trust} onTrust={onTrust} />;
      break;
  }
  const title = NAV.find((n) => n.route.view === route.view)?.label ?? 'Explorer';
  useEffect(() => {
    document.title = `${title}: election explorer`;
  }, [title]);

  return (
    <>
      <header class="site">
        <div class="wrap">
          <h1>Election explorer</h1>
          <nav aria-label="Views">
            <ul>
              {NAV.map((n) => (
                <li>
                  <a href={href(n.route)} aria-current={n.route.view === route.view ? 'page' : undefined}>
                    {n.label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        </div>
      </header>
      <main id="main" class="wrap" tabIndex={-1}>
        {trustError && (
          <p class="alert" role="alert">
            The genesis in the link cannot be trusted: {trustError}
          </p>
        )}
        <TrustBar trust={trust} />
        {view}
      </main>
    </>
  );
}

render(<App />, must(document.getElementById('app'), 'the #app element'));
