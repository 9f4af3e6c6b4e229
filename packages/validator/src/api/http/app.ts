/** The REST routes (everything but the JSON-RPC hot path) as an express app; every answer is JSON but the explorer's files. */
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import type { NodeApiBackend } from '../interface.js';
import type { Logger } from '../../util/logger.js';
import { blockchainRoute } from './blockchain.js';
import { blockRoute } from './blocks.js';
import { evidenceRoute } from './evidence.js';
import { explorerHome, explorerRouter, genesisRoute } from './explorer.js';
import { healthRoute } from './health.js';
import { transactionProofRoute } from './proof.js';
import { HttpError } from './respond.js';
import { resultsRoute } from './results.js';
import { electionRoute } from './elections.js';
import { transactionRoute } from './transactions.js';

const ENDPOINTS = [
  'POST /rpc',
  'POST /',
  'GET /health',
  'GET /blockchain?election_id=',
  'GET /results?election_id=',
  'GET /blocks/:numberOrHash',
  'GET /transactions/:hash',
  'GET /transactions/:hash/proof',
  'GET /evidence',
  'GET /genesis',
  'GET /explorer/',
  'GET /openrpc.json',
  'GET /openapi.json',
  'GET /metrics',
  'WS /ws',
];

/** Build the express app of the REST routes. */
export function createHttpApp(backend: NodeApiBackend, logger: Logger): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.get('/', explorerHome());
  app.get('/', (_req, res) => {
    res.json({ name: backend.clientVersion, node_id: backend.nodeId, chain_id: backend.chainId, endpoints: ENDPOINTS });
  });
  app.get('/health', healthRoute(backend));
  app.get('/blockchain', blockchainRoute(backend));
  app.get('/results', resultsRoute(backend));
  app.get('/elections/:id', electionRoute(backend));
  app.get('/blocks/:numberOrHash', blockRoute(backend));
  app.get('/transactions/:hash', transactionRoute(backend));
  app.get('/transactions/:hash/proof', transactionProofRoute(backend));
  app.get('/evidence', evidenceRoute(backend));
  app.get('/genesis', genesisRoute(backend));
  app.use(explorerRouter());
  // POST /rpc never reaches express (see server.ts); other methods get told what to use.
  app.all('/rpc', (req, res) => {
    res
      .status(405)
      .set('allow', 'POST')
      .json({ error: `${req.method} /rpc is not supported: POST a JSON-RPC 2.0 request` });
  });

  const notFound: RequestHandler = (req, res) => {
    res.status(404).json({ error: `not found: ${req.method} ${req.path}`, endpoints: ENDPOINTS });
  };
  app.use(notFound);

  // Errors answer with a message and never a stack.
  const onError: ErrorRequestHandler = (err: unknown, req, res, _next) => {
    if (err instanceof HttpError) {
      res.status(err.status).json(err.toBody());
      return;
    }
    const status = typeof (err as { status?: unknown }).status === 'number' ? (err as { status: number }).status : 500;
    if (status >= 500) logger.error({ err, path: req.path }, 'HTTP route failed');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.status(status).json({
      error:
        status >= 500
          ? `internal error: ${(err as Error).message ?? String(err)}`
          : String((err as Error).message ?? err),
    });
  };
  app.use(onError);
  return app;
}
