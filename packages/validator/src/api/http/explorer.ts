/**
 * The explorer page (packages/explorer, built by `npm run build`) served as static files at
 * /explorer/, browsers sent there from GET /, and GET /genesis for the page to check against the
 * genesis hash it was told to trust. The page is same-origin, so the browser guard (browser.ts)
 * serves its GETs, JSON-RPC POSTs and WebSocket as for any client; the Content-Security-Policy
 * lets it run only its own script and style and talk to validators (no CDN, no fonts, offline).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import express, { type RequestHandler, type Router } from 'express';
import type { Genesis } from '@poa-vote/shared';

/** Where `npm run build` writes the explorer (packages/explorer/dist), from src/ or dist/ alike. */
export const DEFAULT_EXPLORER_DIR = fileURLToPath(new URL('../../../../explorer/dist/', import.meta.url));

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  // Other validators of the network view, over HTTP and WebSocket.
  "connect-src 'self' http: https: ws: wss:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** GET / from a browser (it prefers text/html) goes to the explorer; JSON clients fall through. */
export function explorerHome(): RequestHandler {
  return (req, res, next) => {
    if (req.accepts(['application/json', 'text/html']) === 'text/html') res.redirect(302, '/explorer/');
    else next();
  };
}

/** GET /genesis: the genesis document this node runs; 404 when the backend does not expose it. */
export function genesisRoute(backend: { readonly nodeId: string; readonly genesis?: Genesis }): RequestHandler {
  return (_req, res) => {
    if (!backend.genesis) {
      res.status(404).json({ error: 'this node does not publish its genesis document' });
      return;
    }
    res.set('cache-control', 'public, max-age=3600').json(backend.genesis);
  };
}

/** The /explorer/ static files, or a 404 that says how to build them. */
export function explorerRouter(dir: string = DEFAULT_EXPLORER_DIR): Router {
  const router = express.Router({ strict: true });
  router.get('/explorer', (_req, res) => res.redirect(301, '/explorer/'));
  if (!existsSync(dir)) {
    router.use('/explorer/', (_req, res) => {
      res.status(404).json({
        error: 'the explorer is not built on this node: run `npm run build` (it writes packages/explorer/dist)',
      });
    });
    return router;
  }
  router.use(
    '/explorer/',
    express.static(dir, {
      index: 'index.html',
      redirect: false,
      dotfiles: 'ignore',
      fallthrough: true,
      setHeaders: (res, path) => {
        res.setHeader('content-security-policy', CSP);
        res.setHeader('x-content-type-options', 'nosniff');
        res.setHeader('referrer-policy', 'no-referrer');
        // The page changes with each build; its hashed-free asset names must be revalidated.
        res.setHeader('cache-control', path.endsWith('.html') ? 'no-cache' : 'public, max-age=60');
      },
    }),
  );
  return router;
}
