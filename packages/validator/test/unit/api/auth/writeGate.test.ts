/** Write access through a real ApiServer (HTTP and WebSocket) over the fake backend. */
import { describe, it, expect, afterEach } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { ApiServer } from '../../../../src/api/server.js';
import { JsonRpcServer } from '../../../../src/api/jsonrpc/server.js';
import { registerNodeMethods } from '../../../../src/api/jsonrpc/methods/index.js';
import { ApiTokenSet, parseApiTokens, type WriteAccessOptions } from '../../../../src/api/auth/index.js';
import { FakeBackend } from '../fakeBackend.js';
import { vote } from '../helpers.js';

const TOKEN_1 = 't1-'.padEnd(40, 'x');
const TOKEN_2 = 't2-'.padEnd(40, 'y');
const tokens = new ApiTokenSet(parseApiTokens(`backend-1:${TOKEN_1}\nbackend-2:${TOKEN_2}`));

let server: ApiServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function start(writes: WriteAccessOptions, backend = new FakeBackend()) {
  server = new ApiServer(backend, { host: '127.0.0.1', port: 0, maxBodyBytes: 64 * 1024, writes });
  await server.start();
  const url = `http://127.0.0.1:${server.port}`;
  const post = async (body: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${url}/rpc`, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json', ...headers },
    });
    return { status: res.status, json: (await res.json()) as any };
  };
  const send = (tx: unknown, id: string | number, headers?: Record<string, string>) =>
    post({ jsonrpc: '2.0', id, method: 'eth_sendTransaction', params: [tx] }, headers);
  return { url, backend, post, send };
}

const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

describe('credentials', () => {
  it('refuses a write without a credential (-32001, HTTP 200) and takes it with a valid token; reads stay public', async () => {
    const h = await start({ openWrites: false, apiTokens: tokens });
    const none = await h.send(vote('v1'), 'a-1');
    expect(none.status).toBe(200);
    expect(none.json.error).toMatchObject({ code: -32001, data: { code: 'CREDENTIAL_MISSING' } });
    expect(none.json.error.message).toMatch(/Authorization: Bearer/);
    expect(h.backend.submitCalls).toEqual([]);

    const ok = await h.send(vote('v1'), 'a-1', bearer(TOKEN_1));
    expect(ok.json.result).toMatch(/^0x[0-9a-f]{64}$/);

    const read = await h.post({ jsonrpc: '2.0', id: 1, method: 'eth_getTransactionReceipt', params: ['a-1'] });
    expect(read.json).toEqual({ jsonrpc: '2.0', id: 1, result: null });
  });

  it('names a wrong or malformed credential', async () => {
    const h = await start({ openWrites: false, apiTokens: tokens });
    expect((await h.send(vote('v2'), 'b-1', bearer(`${TOKEN_1}z`))).json.error).toMatchObject({
      code: -32001,
      data: { code: 'CREDENTIAL_INVALID' },
    });
    expect((await h.send(vote('v2'), 'b-2', { authorization: TOKEN_1 })).json.error).toMatchObject({
      code: -32001,
      data: { code: 'CREDENTIAL_MALFORMED' },
    });
    expect((await h.send(vote('v2'), 'b-3', { authorization: `bearer   ${TOKEN_2}` })).json.result).toBeDefined();
  });

  it('open writes take writes without a credential, but a credential that is sent must be valid', async () => {
    const h = await start({ openWrites: true, apiTokens: tokens });
    expect((await h.send(vote('v3'), 'c-1')).json.result).toBeDefined();
    expect((await h.send(vote('v4'), 'c-2', bearer('nope'.padEnd(40, 'n')))).json.error.code).toBe(-32001);
  });

  it('answers each call of a mixed batch: reads pass, unauthenticated writes are refused', async () => {
    const h = await start({ openWrites: false, apiTokens: tokens });
    const r = await h.post([
      { jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] },
      { jsonrpc: '2.0', id: 'd-1', method: 'eth_sendTransaction', params: [vote('v5')] },
    ]);
    expect(r.json[0].result).toBe('0x539');
    expect(r.json[1].error.code).toBe(-32001);
  });

  it('revokes a token when the tokens file is reloaded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'poa-gate-'));
    try {
      const file = join(dir, 'tokens');
      writeFileSync(file, `backend-1:${TOKEN_1}\nbackend-2:${TOKEN_2}\n`, { mode: 0o600 });
      const h = await start({ openWrites: false, apiTokensFile: file });
      expect((await h.send(vote('v6'), 'e-1', bearer(TOKEN_2))).json.result).toBeDefined();
      writeFileSync(file, `backend-1:${TOKEN_1}\n`);
      expect(server!.reloadApiTokens('test')).toMatchObject({ ok: true, removed: ['backend-2'] });
      expect((await h.send(vote('v7'), 'e-2', bearer(TOKEN_2))).json.error).toMatchObject({
        code: -32001,
        data: { code: 'CREDENTIAL_INVALID' },
      });
      expect((await h.send(vote('v7'), 'e-2', bearer(TOKEN_1))).json.result).toBeDefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes the credential of a WebSocket from its upgrade request, and applies revocation to open sockets', async () => {
    const h = await start({ openWrites: false, apiTokens: tokens });
    const call = (ws: WebSocket, msg: unknown) =>
      new Promise<any>((resolve) => {
        ws.once('message', (d) => resolve(JSON.parse(d.toString())));
        ws.send(JSON.stringify(msg));
      });
    const open = (headers: Record<string, string>) =>
      new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(`${h.url.replace('http', 'ws')}/ws`, { headers });
        ws.once('open', () => resolve(ws));
        ws.once('error', reject);
      });
    const anon = await open({});
    const authed = await open(bearer(TOKEN_1));
    try {
      expect(
        (await call(anon, { jsonrpc: '2.0', id: 'w-1', method: 'eth_sendTransaction', params: [vote('w1')] })).error
          .code,
      ).toBe(-32001);
      expect(
        (await call(authed, { jsonrpc: '2.0', id: 'w-2', method: 'eth_sendTransaction', params: [vote('w2')] })).result,
      ).toBeDefined();
      expect((await call(anon, { jsonrpc: '2.0', id: 3, method: 'eth_blockNumber', params: [] })).result).toBeDefined();
    } finally {
      anon.close();
      authed.close();
    }
  });
});

describe('write rate', () => {
  it('counts votes, not requests: a batch beyond the budget is refused from the first vote over it', async () => {
    const h = await start({ openWrites: false, apiTokens: tokens, ratePerCredential: 1, burstPerCredential: 5 });
    const batch = Array.from({ length: 8 }, (_, i) => ({
      jsonrpc: '2.0',
      id: `r-${i}`,
      method: 'eth_sendTransaction',
      params: [vote(`r${i}`)],
    }));
    const r = await h.post(batch, bearer(TOKEN_1));
    expect(r.json.filter((x: any) => x.result).length).toBe(5);
    const refused = r.json.filter((x: any) => x.error);
    expect(refused).toHaveLength(3);
    expect(refused[0].error).toMatchObject({
      code: -32005,
      data: { limit: 'writeRate', scope: 'credential', code: 'RATE_LIMITED' },
    });
    expect(refused[0].error.data.retryAfterMs).toBeGreaterThan(0);
    expect(refused[0].error.message).toMatch(/backend-1/);
    // Another credential has its own budget; reads are never limited.
    expect((await h.send(vote('other'), 'r-x', bearer(TOKEN_2))).json.result).toBeDefined();
    expect((await h.post({ jsonrpc: '2.0', id: 1, method: 'eth_blockNumber', params: [] })).json.result).toBeDefined();
  });

  it('limits open writes per address', async () => {
    const h = await start({ openWrites: true, ratePerAddress: 1, burstPerAddress: 2 });
    expect((await h.send(vote('a1'), 'o-1')).json.result).toBeDefined();
    expect((await h.send(vote('a2'), 'o-2')).json.result).toBeDefined();
    expect((await h.send(vote('a3'), 'o-3')).json.error).toMatchObject({
      code: -32005,
      data: { scope: 'address', limit: 'writeRate' },
    });
  });
});

describe('submission ids', () => {
  it('CONTROL: without the gate, a second vote under a taken id takes over the receipt by id', async () => {
    const backend = new FakeBackend();
    const rpc = registerNodeMethods(new JsonRpcServer(), { backend });
    const first = (await rpc.handle(
      { jsonrpc: '2.0', id: 'tx-victim', method: 'eth_sendTransaction', params: [vote('victim')] },
      { transport: 'http' },
    )) as any;
    const hijack = (await rpc.handle(
      { jsonrpc: '2.0', id: 'tx-victim', method: 'eth_sendTransaction', params: [vote('attacker', '1', 'mallory')] },
      { transport: 'http' },
    )) as any;
    expect(hijack.result).toBeDefined();
    expect(await backend.resolveTxRef('tx-victim')).toBe(hijack.result);
    expect(await backend.resolveTxRef('tx-victim')).not.toBe(first.result);
  });

  it('refuses a different vote under a taken id, naming the id and its hash; the identical vote is idempotent', async () => {
    const h = await start({ openWrites: true });
    const first = (await h.send(vote('victim'), 'tx-victim')).json.result as string;
    const hijack = (await h.send(vote('attacker', '1', 'mallory'), 'tx-victim')).json;
    expect(hijack.error).toMatchObject({
      code: -32602,
      data: { code: 'SUBMISSION_ID_TAKEN', id: 'tx-victim', boundTo: first },
    });
    expect(hijack.error.message).toContain(first);
    expect(await h.backend.resolveTxRef('tx-victim')).toBe(first);
    expect((await h.send(vote('victim'), 'tx-victim')).json.result).toBe(first);
    // Numbers are ids too, compared as strings.
    const n = (await h.send(vote('numeric'), 42)).json.result;
    expect((await h.send(vote('other-numeric'), '42')).json.error.data).toMatchObject({
      code: 'SUBMISSION_ID_TAKEN',
      boundTo: n,
    });
  });

  it('lets one of two different votes under one id in a single batch through', async () => {
    const h = await start({ openWrites: true });
    const r = await h.post([
      { jsonrpc: '2.0', id: 'same', method: 'eth_sendTransaction', params: [vote('b1')] },
      { jsonrpc: '2.0', id: 'same', method: 'eth_sendTransaction', params: [vote('b2')] },
    ]);
    expect(r.json.filter((x: any) => x.result)).toHaveLength(1);
    expect(r.json.filter((x: any) => x.error?.data?.code === 'SUBMISSION_ID_TAKEN')).toHaveLength(1);
  });

  it('refuses ids with lone surrogates and empty ids', async () => {
    const h = await start({ openWrites: true });
    // The dispatcher may refuse a lone surrogate first (-32600); either way the vote never reaches the node.
    expect([-32600, -32602]).toContain((await h.send(vote('s1'), 'a\ud800')).json.error.code);
    expect((await h.send(vote('s2'), '')).json.error).toMatchObject({
      code: -32602,
      data: { code: 'SUBMISSION_ID_INVALID' },
    });
    expect(h.backend.submitCalls).toEqual([]);
  });

  it('binds the credential: another backend may not reuse the id', async () => {
    const h = await start({ openWrites: false, apiTokens: tokens });
    const first = (await h.send(vote('cv'), 'cred-id', bearer(TOKEN_1))).json.result;
    expect((await h.send(vote('cv'), 'cred-id', bearer(TOKEN_1))).json.result).toBe(first);
    expect((await h.send(vote('cv'), 'cred-id', bearer(TOKEN_2))).json.error.message).toMatch(/another credential/);
  });
});
