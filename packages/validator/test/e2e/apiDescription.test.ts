/**
 * The API description against a real validator: the OpenRPC document (rpc.discover and
 * GET /openrpc.json) describes every registered method, and real answers validate against it;
 * the OpenAPI document (GET /openapi.json) describes the HTTP routes, and real answers, errors
 * included, validate against it. Schemas are checked with ajv (JSON Schema 2020-12).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { WebSocket } from 'ws';
import { TestNetwork, getJson, rpc, waitFor } from '@poa-vote/test-utils';

type Json = Record<string, any>;

const ajv = new Ajv2020({ strict: false, allErrors: true });

function validate(schema: Json, value: unknown, what: string): void {
  const check = ajv.compile(schema);
  if (!check(value))
    throw new Error(
      `${what} does not match its description: ${ajv.errorsText(check.errors)}\n${JSON.stringify(value).slice(0, 600)}`,
    );
}

describe('API description (OpenRPC, OpenAPI) of a real validator', () => {
  let net: TestNetwork;
  let url: string;
  let openrpc: Json;
  let hash: string;

  beforeAll(async () => {
    net = await TestNetwork.create({ slotMs: 400 });
    await net.start();
    await net.waitHealthy();
    url = net.validators[0]!.url;
    const sent = await rpc(
      url,
      'eth_sendTransaction',
      [{ from: 'describe-voter-1', to: 'election-1', data: '{"candidate_id":"alice"}' }],
      'describe-sub-1',
    );
    hash = sent.result as string;
    await waitFor(
      async () => (await rpc(url, 'eth_getTransactionReceipt', [hash])).result !== null,
      20_000,
      'the first vote final',
    );
    openrpc = (await getJson(`${url}/openrpc.json`)).body;
  }, 60_000);

  afterAll(async () => {
    await net?.stop();
  }, 30_000);

  it('serves one OpenRPC document at GET /openrpc.json and through rpc.discover, each method with params and a result', async () => {
    expect(openrpc.openrpc).toMatch(/^1\.3\./);
    expect((await rpc(url, 'rpc.discover', [])).result).toEqual(openrpc);
    const names = openrpc.methods.map((m: Json) => m.name);
    for (const name of [
      'eth_sendTransaction',
      'eth_getTransactionReceipt',
      'eth_getTransactionByHash',
      'eth_getBlockByNumber',
      'eth_getBlockByHash',
      'eth_blockNumber',
      'eth_chainId',
      'eth_accounts',
      'eth_syncing',
      'eth_subscribe',
      'eth_unsubscribe',
      'net_version',
      'net_peerCount',
      'net_listening',
      'web3_clientVersion',
      'poa_getTransactionStatus',
      'poa_getCertificate',
      'poa_getFinalizedBlock',
      'poa_getElection',
      'poa_getEvidence',
      'rpc.discover',
    ]) {
      expect(names).toContain(name);
    }
    for (const m of openrpc.methods) {
      expect(Array.isArray(m.params)).toBe(true);
      expect(m.result).toHaveProperty('schema');
      for (const p of m.params) ajv.compile(p.schema);
      ajv.compile(m.result.schema);
    }
  });

  it("every described method's real answer validates against its result schema", async () => {
    const block = (await rpc(url, 'eth_getBlockByNumber', ['latest', false])).result as Json;
    const samples: Record<string, unknown[][]> = {
      eth_sendTransaction: [[{ from: 'describe-voter-2', to: 'election-1', data: '{"candidate_id":"bob"}' }]],
      eth_getTransactionReceipt: [[hash], ['describe-sub-1'], [`0x${'ab'.repeat(32)}`]],
      eth_getTransactionByHash: [[hash], [`0x${'ab'.repeat(32)}`]],
      eth_getBlockByNumber: [
        ['latest', false],
        ['finalized', true],
        ['earliest'],
        ['0x0', true],
        ['pending'],
        ['0xffffff'],
      ],
      eth_getBlockByHash: [[block.hash, true], [`0x${'00'.repeat(32)}`]],
      eth_blockNumber: [[]],
      eth_chainId: [[]],
      eth_accounts: [[]],
      eth_syncing: [[]],
      net_version: [[]],
      net_peerCount: [[]],
      net_listening: [[]],
      web3_clientVersion: [[]],
      poa_getTransactionStatus: [[hash], ['describe-sub-1'], ['no-such-id']],
      poa_getCertificate: [[1], [999_999]],
      poa_getFinalizedBlock: [[1]],
      poa_getElection: [['1']],
      poa_getEvidence: [[]],
      poa_getProof: [[hash]],
      'rpc.discover': [[]],
    };
    const checked: string[] = [];
    for (const m of openrpc.methods as Json[]) {
      if (m.name === 'eth_subscribe' || m.name === 'eth_unsubscribe') continue; // WebSocket: below
      const cases = samples[m.name];
      if (!cases)
        throw new Error(`no sample call for ${m.name}: add one so its answers are checked against the description`);
      for (const params of cases) {
        const r = await rpc(url, m.name, params);
        if ('error' in r) throw new Error(`${m.name}(${JSON.stringify(params)}) failed: ${JSON.stringify(r.error)}`);
        validate(m.result.schema, r.result, `${m.name}(${JSON.stringify(params).slice(0, 80)})`);
        checked.push(m.name);
      }
    }
    expect(new Set(checked).size).toBe(openrpc.methods.length - 2);
    // Control: the description is not vacuous; the old shapes (ids as addresses) fail it.
    const blockSchema = openrpc.methods.find((m: Json) => m.name === 'eth_getBlockByNumber').result.schema;
    expect(() => validate(blockSchema, { ...block, miner: 'validator-3' }, 'a block with an id as miner')).toThrow(
      /miner/,
    );
    const txSchema = openrpc.methods.find((m: Json) => m.name === 'eth_getTransactionByHash').result.schema;
    const tx = (await rpc(url, 'eth_getTransactionByHash', [hash])).result as Json;
    expect(() =>
      validate(txSchema, { ...tx, from: 'describe-voter-1' }, 'a transaction with a voter id as from'),
    ).toThrow(/from/);
  }, 60_000);

  it('eth_subscribe and eth_unsubscribe answer per their description over WebSocket', async () => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/ws`);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const answers: Json[] = [];
    ws.on('message', (d) => answers.push(JSON.parse(String(d))));
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_subscribe', params: ['newHeads'] }));
    await waitFor(() => answers.some((a) => a.id === 1), 5000, 'the subscribe answer');
    const sub = answers.find((a) => a.id === 1)!;
    validate(openrpc.methods.find((m: Json) => m.name === 'eth_subscribe').result.schema, sub.result, 'eth_subscribe');
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'eth_unsubscribe', params: [sub.result] }));
    await waitFor(() => answers.some((a) => a.id === 2), 5000, 'the unsubscribe answer');
    validate(
      openrpc.methods.find((m: Json) => m.name === 'eth_unsubscribe').result.schema,
      answers.find((a) => a.id === 2)!.result,
      'eth_unsubscribe',
    );
    ws.close();
  });

  it('serves an OpenAPI document whose schemas the HTTP answers, errors included, validate against', async () => {
    const doc = (await getJson(`${url}/openapi.json`)).body as Json;
    expect(doc.openapi).toBe('3.1.0');
    const schemaOf = (path: string, status: number): Json => {
      const content = doc.paths[path].get.responses[String(status)].content;
      return content['application/json'].schema;
    };
    const cases: [string, string, number][] = [
      ['/health', '/health', 200],
      ['/results', '/results?election_id=1', 200],
      ['/results', '/results?election_id=not%20an%20id', 400],
      ['/results', '/results', 400],
      ['/results', '/results?election_id=1&election_id=2', 400],
      ['/blockchain', '/blockchain?election_id=1', 200],
      ['/blockchain', '/blockchain?election_id=%2F..%2F', 400],
      ['/blocks/{numberOrHash}', '/blocks/1', 200],
      ['/blocks/{numberOrHash}', '/blocks/latest', 200],
      ['/blocks/{numberOrHash}', '/blocks/nope', 400],
      ['/blocks/{numberOrHash}', '/blocks/999999', 404],
      ['/transactions/{hash}', `/transactions/${hash}`, 200],
      ['/transactions/{hash}', '/transactions/describe-sub-1', 200],
      ['/evidence', '/evidence', 200],
      ['/genesis', '/genesis', 200],
    ];
    for (const [path, target, status] of cases) {
      const r = await getJson(`${url}${target}`);
      expect([target, r.status]).toEqual([target, status]);
      validate(schemaOf(path, status), r.body, `GET ${target} (${status})`);
      if (status === 400 && path !== '/blocks/{numberOrHash}') expect(r.body.param).toBe('election_id');
    }
    // Every route the server answers is described.
    for (const route of [
      '/health',
      '/results',
      '/blockchain',
      '/blocks/{numberOrHash}',
      '/transactions/{hash}',
      '/transactions/{hash}/proof',
      '/evidence',
      '/genesis',
      '/rpc',
      '/openrpc.json',
      '/openapi.json',
      '/metrics',
    ]) {
      expect(Object.keys(doc.paths)).toContain(route);
    }
  });
});
