/** The route a request path belongs to, as a bounded label for metrics (never the raw path). */

const ROUTES = new Set([
  'rpc',
  'health',
  'blockchain',
  'results',
  'elections',
  'blocks',
  'transactions',
  'evidence',
  'genesis',
  'explorer',
  'metrics',
  'openrpc.json',
  'openapi.json',
  'ws',
]);
const PARAM_NAMES: Record<string, string> = { blocks: ':numberOrHash', transactions: ':hash', elections: ':id' };

/** "/blocks/12" -> "/blocks/:numberOrHash"; unknown paths -> "other". */
export function routeName(path: string): string {
  if (path === '/') return '/';
  const parts = path.split('/');
  const first = parts[1] ?? '';
  if (!ROUTES.has(first)) return 'other';
  const rest = parts.slice(2).filter((p) => p !== '');
  if (rest.length === 0 || first === 'explorer') return `/${first}`;
  const param = PARAM_NAMES[first] ?? ':param';
  if (first === 'transactions' && rest.length === 2 && rest[1] === 'proof') return `/transactions/${param}/proof`;
  return rest.length === 1 ? `/${first}/${param}` : 'other';
}
