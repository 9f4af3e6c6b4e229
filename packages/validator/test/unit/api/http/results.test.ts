/** GET /results over a real ChainDb: candidates named like Object.prototype members reach the JSON. */
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { ChainDb } from '../../../../src/db/index.js';
import type { NodeApiBackend } from '../../../../src/api/interface.js';
import { resultsRoute } from '../../../../src/api/http/results.js';
import { ballot, buildBlocks, makeChain, tempDir } from '../../db/fixtures.js';

const HOSTILE = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];
let db: ChainDb;
let server: Server;
let base: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const chain = makeChain();
  let dir: string;
  ({ dir, cleanup } = await tempDir());
  db = await ChainDb.open(dir, chain.genesis);
  const [fb] = buildBlocks(chain, 1, () => [
    ...HOSTILE.map((c, i) => ballot(`v${i}`, '7', c)),
    ballot('w', '7', 'alice'),
  ]);
  await db.apply([{ kind: 'finalize', block: fb!.block, certificate: fb!.certificate }]);
  const app = express();
  app.get('/results', resultsRoute({ results: (e: string) => db.results(e) } as unknown as NodeApiBackend));
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await db.close();
  await cleanup();
});

describe('GET /results with hostile candidate names', () => {
  it('lists every counted candidate; the counts add up to the total', async () => {
    const text = await (await fetch(`${base}/results?election_id=7`)).text();
    const counts = '{"__proto__":1,"alice":1,"constructor":1,"hasOwnProperty":1,"toString":1,"valueOf":1}';
    expect(text).toBe(`{"election_id":"7","results":${counts},"counts":${counts},"total":6,"height":1}`);
    const body = JSON.parse(text) as { counts: Record<string, number>; total: number };
    expect(Object.values(body.counts).reduce((a, b) => a + b, 0)).toBe(body.total);
  });
});
