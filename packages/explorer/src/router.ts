/** Views by location hash (#/network, #/blocks, #/election/7, #/vote/<ref>, #/trust); settings in the query. */
import { unreachable } from '@poa-vote/shared';

export type Route =
  | { view: 'network' }
  | { view: 'blocks' }
  | { view: 'election'; id: string }
  | { view: 'vote'; ref: string }
  | { view: 'trust' };

/** The route of the current location. */
export function currentRoute(): Route {
  const parts = location.hash.replace(/^#\/?/, '').split('/');
  const arg = decodeURIComponent(parts.slice(1).join('/'));
  switch (parts[0]) {
    case 'blocks':
      return { view: 'blocks' };
    case 'election':
      return { view: 'election', id: arg || '1' };
    case 'vote':
      return { view: 'vote', ref: arg };
    case 'trust':
      return { view: 'trust' };
    default:
      return { view: 'network' };
  }
}

/** A link to a view, keeping the query (trusted genesis hash, validator list). */
export function href(route: Route): string {
  switch (route.view) {
    case 'election':
      return `#/election/${encodeURIComponent(route.id)}`;
    case 'vote':
      return `#/vote/${encodeURIComponent(route.ref)}`;
    case 'network':
    case 'blocks':
    case 'trust':
      return `#/${route.view}`;
    default:
      return unreachable(route, 'explorer route');
  }
}

/** A query parameter of the page. */
export function param(name: string): string | null {
  return new URLSearchParams(location.search).get(name);
}

/** Set (or remove) a query parameter without reloading. */
export function setParam(name: string, value: string | null): void {
  const q = new URLSearchParams(location.search);
  if (value === null || value === '') q.delete(name);
  else q.set(name, value);
  const search = q.toString();
  history.replaceState(null, '', `${location.pathname}${search ? `?${search}` : ''}${location.hash}`);
}
