/**
 * Hostile clients on the API port, against real validator processes on loopback: writes without
 * or with a revoked credential, a flood of writes beyond the write rate, and a submission id
 * hijack (another vote under an id whose receipt a backend looks up by id).
 *
 * Controls (the attack succeeding where the defence is off): validator-3 runs with
 * --insecure-open-writes and takes a write without a credential; validator-2 (default rate) takes
 * the same flood validator-1 (50 votes/s, burst 100) refuses. For the id hijack, the control is
 * the unit test "CONTROL: without the gate, a second vote under a taken id takes over the
 * receipt by id" (test/unit/api/auth/writeGate.test.ts): the gate cannot be switched off from the
 * CLI. Before it, the node overwrote the id's binding and the receipt by id answered the
 * attacker's vote.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createVotingClient } from '@poa-vote/client';
import { TestNetwork, ballot, finalizedHeight, sleep, waitFor } from '@poa-vote/test-utils';

const SLOT_MS = 500;
const TOKEN_1 = `b1-${'1'.repeat(40)}`;
const TOKEN_2 = `b2-${'2'.repeat(40)}`;
const RATE = 50;
const BURST = 100;

type Answer = { status: number; body: any };

async function post(url: string, body: unknown, token?: string): Promise<Answer> {
  const r = await fetch(`${url}/rpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  return { status: r.status, body: await r.json() };
}

function send(url: string, tx: unknown, id: string, token?: string): Promise<Answer> {
  return post(url, { jsonrpc: '2.0', id, method: 'eth_sendTransaction', params: [tx] }, token);
}

function vote(voter: string, candidate = 'alice') {
  return { from: voter, to: 'election-77', data: ballot(candidate) };
}

async function receipt(url: string, ref: string): Promise<any> {
  return (await post(url, { jsonrpc: '2.0', id: 1, method: 'eth_getTransactionReceipt', params: [ref] })).body.result;
}

describe('adversarial: hostile clients on the API', () => {
  let net: TestNetwork;
  let tokensFile: string;
  const url = (i: number) => net.validators[i]!.url;

  beforeAll(async () => {
    net = await TestNetwork.create({
      slotMs: SLOT_MS,
      openWrites: false,
      extraArgs: (i) => [
        '--api-tokens-file',
        join(net.dir, 'api.tokens'),
        ...(i === 0
          ? ['--write-rate-per-credential', String(RATE), '--write-burst-per-credential', String(BURST)]
          : []),
        ...(i === 2 ? ['--insecure-open-writes'] : []),
      ],
    });
    tokensFile = join(net.dir, 'api.tokens');
    writeFileSync(tokensFile, `# backends\nbackend-1:${TOKEN_1}\nbackend-2:${TOKEN_2}\n`, { mode: 0o600 });
    await net.start();
    await net.waitHealthy();
    await net.waitHeight(0, 2);
  }, 60_000);

  afterAll(async () => {
    await net?.stop();
  }, 30_000);

  it('refuses a write without a credential (-32001, HTTP 200) where writes are not open; takes it with a token; reads stay public', async () => {
    // Control: the open node takes it.
    const open = await send(url(2), vote('anon-1'), 'anon-1');
    expect(open.body.result).toMatch(/^0x[0-9a-f]{64}$/);
    expect(net.validators[2]!.output.some((l) => l.includes('writes are OPEN'))).toBe(true);

    const refused = await send(url(0), vote('anon-2'), 'anon-2');
    expect(refused.status).toBe(200);
    expect(refused.body.error).toMatchObject({ code: -32001, data: { code: 'CREDENTIAL_MISSING' } });
    expect((await send(url(1), vote('anon-2'), 'anon-2', `${TOKEN_1}x`)).body.error).toMatchObject({
      code: -32001,
      data: { code: 'CREDENTIAL_INVALID' },
    });

    const ok = await send(url(0), vote('authed-1'), 'authed-1', TOKEN_1);
    expect(ok.body.result).toMatch(/^0x[0-9a-f]{64}$/);
    await waitFor(
      async () => (await receipt(url(1), ok.body.result))?.blockNumber !== undefined,
      20_000,
      'the authenticated vote to be final',
    );
  }, 60_000);

  it('after a token is removed from the file and SIGHUP, its writes are refused', async () => {
    expect((await send(url(1), vote('revoke-1'), 'revoke-1', TOKEN_2)).body.result).toBeDefined();
    writeFileSync(tokensFile, readFileSync(tokensFile, 'utf8').replace(/^backend-2:.*\n/m, ''));
    net.signal(1, 'SIGHUP');
    await waitFor(
      () => net.validators[1]!.output.some((l) => l.includes('API tokens reloaded') && l.includes('"reason":"SIGHUP"')),
      5000,
      'the SIGHUP reload to be logged',
    );
    const after = await send(url(1), vote('revoke-2'), 'revoke-2', TOKEN_2);
    expect(after.body.error).toMatchObject({ code: -32001, data: { code: 'CREDENTIAL_INVALID' } });
    expect((await send(url(1), vote('revoke-2'), 'revoke-2', TOKEN_1)).body.result).toBeDefined();
    expect(net.isRunning(1)).toBe(true);
    // The token never reaches the log.
    expect(net.validators.some((v) => v.output.some((l) => l.includes(TOKEN_2) || l.includes(TOKEN_1)))).toBe(false);
  }, 30_000);

  it('refuses votes beyond the write rate with -32005 {limit: writeRate, retryAfterMs}; the chain keeps finalizing', async () => {
    const batch = (prefix: string) =>
      Array.from({ length: 3 * BURST }, (_, k) => ({
        jsonrpc: '2.0',
        id: `${prefix}-${k}`,
        method: 'eth_sendTransaction',
        params: [vote(`${prefix}-${k}`)],
      }));
    // Control: the node with the default budget (5,000 votes/s, burst 10,000) takes all of it.
    const control = (await post(url(1), batch('flood-control'), TOKEN_1)).body as any[];
    expect(control.filter((r) => r.result).length).toBe(3 * BURST);

    const h0 = await finalizedHeight(url(0));
    const answers = (await post(url(0), batch('flood'), TOKEN_1)).body as any[];
    const accepted = answers.filter((r) => r.result);
    const limited = answers.filter((r) => r.error?.code === -32005);
    expect(accepted.length).toBeGreaterThanOrEqual(BURST);
    expect(accepted.length).toBeLessThan(BURST + 20);
    expect(limited.length).toBe(answers.length - accepted.length);
    expect(limited[0].error.data).toMatchObject({ limit: 'writeRate', scope: 'credential', code: 'RATE_LIMITED' });
    expect(limited[0].error.data.retryAfterMs).toBeGreaterThan(0);
    expect(limited[0].error.message).toMatch(/backend-1/);

    // Waiting out the budget lets writes through again, and every node keeps finalizing.
    await sleep(Math.max(...limited.map((r) => r.error.data.retryAfterMs as number)) + 50);
    expect((await send(url(0), vote('after-flood'), 'after-flood', TOKEN_1)).body.result).toBeDefined();
    for (const i of [0, 1, 2]) await net.waitHeight(i, h0 + 3, 20_000);
    const last = accepted.at(-1).result as string;
    await waitFor(
      async () => (await receipt(url(2), last))?.blockNumber !== undefined,
      30_000,
      'the last accepted flood vote to be final',
    );
  }, 90_000);

  it('refuses a different vote under a taken submission id; the receipt by id still answers the first vote', async () => {
    const id = `tx-${Date.now().toString(16)}`;
    const first = (await send(url(0), vote('victim'), id, TOKEN_1)).body.result as string;
    expect(first).toMatch(/^0x[0-9a-f]{64}$/);
    const hijack = await send(url(0), vote('attacker', 'mallory'), id, TOKEN_1);
    expect(hijack.body.error).toMatchObject({
      code: -32602,
      data: { code: 'SUBMISSION_ID_TAKEN', id, boundTo: first },
    });
    expect(hijack.body.error.message).toContain(first);
    // Another credential may not reuse the id even for the identical vote; the owner may retry.
    writeFileSync(tokensFile, `backend-1:${TOKEN_1}\nbackend-3:${TOKEN_2}\n`);
    net.signal(0, 'SIGHUP');
    await waitFor(
      () => net.validators[0]!.output.some((l) => l.includes('API tokens reloaded') && l.includes('"reason":"SIGHUP"')),
      5000,
      'the SIGHUP reload',
    );
    expect((await send(url(0), vote('victim'), id, TOKEN_2)).body.error.data).toMatchObject({
      code: 'SUBMISSION_ID_TAKEN',
    });
    expect((await send(url(0), vote('victim'), id, TOKEN_1)).body.result).toBe(first);
    // Concurrent hijack attempts: exactly the first vote stays bound.
    const id2 = `${id}-race`;
    const race = await Promise.all([
      send(url(0), vote('race-a'), id2, TOKEN_1),
      send(url(0), vote('race-b'), id2, TOKEN_1),
    ]);
    expect(race.filter((a) => a.body.result).length).toBe(1);
    const winner = race.find((a) => a.body.result)!.body.result as string;

    await waitFor(async () => (await receipt(url(0), id))?.transactionHash === first, 20_000, 'the receipt by id');
    await waitFor(
      async () => (await receipt(url(0), id2))?.transactionHash === winner,
      20_000,
      'the receipt by the raced id',
    );
    expect(
      (await post(url(0), { jsonrpc: '2.0', id: 9, method: 'eth_getTransactionByHash', params: [id] })).body.result
        .voterId,
    ).toBe('victim');
    // Ids that would not be stored faithfully are refused, and the node stays up.
    expect((await send(url(0), vote('empty-id'), '', TOKEN_1)).body.error.code).toBe(-32602);
    await sleep(2 * SLOT_MS);
    expect(net.isRunning(0)).toBe(true);
    expect(net.unexpectedExits()).toEqual([]);
  }, 60_000);

  it('the client package writes with a token (HTTP and the WebSocket confirmation)', async () => {
    const client = createVotingClient({
      validators: net.validators.slice(0, 2).map((v) => ({ nodeId: v.id, rpcUrl: v.url })),
      genesis: net.genesis,
      fetchFn: (input, init) =>
        fetch(input, {
          ...init,
          headers: { ...(init?.headers as Record<string, string>), authorization: `Bearer ${TOKEN_1}` },
        }),
      webSocket: { apiToken: TOKEN_1 },
    });
    try {
      const { hash, validator } = await client.submitVote({
        voterId: 'client-voter',
        electionId: 77,
        encryptedVote: ballot('bob'),
      });
      expect(hash).toMatch(/^0x[0-9a-f]{64}$/);
      await client.waitForConfirmation(hash, { validator, timeoutMs: 30_000 });
    } finally {
      client.close();
    }
  }, 60_000);
});
