/**
 * The explorer in a real browser (chromium) against three real validator processes: the page
 * loads and shows the network live; results update live as votes are submitted through the
 * client; a vote looked up by its submission id shows finalized with its inclusion verified in
 * the browser; a validator whose /results are tampered with (through a proxy) is caught by the
 * recount; an unknown vote is said to be unknown. Screenshots go to artifacts/explorer/.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { genesisHash } from '@poa-vote/shared';
import type { Page } from 'playwright-core';
import { TestNetwork, ValidatorProxy, ballot, getJson } from '@poa-vote/test-utils';
import { type VotingClient, createVotingClient } from '../../../client/src/index.js';
import { type TestBrowser, launchBrowser, shot } from './browser.js';

const SLOT_MS = 400;

describe('the explorer page, in chromium, on three validators', () => {
  let net: TestNetwork;
  let proxy: ValidatorProxy;
  let client: VotingClient;
  let browser: TestBrowser;
  let page: Page & { problems: string[] };
  let gh: string;
  let base: string;
  /** The page of validator 1, trusting the test genesis, with the other two listed. */
  const url = (view: string) =>
    `${base}/explorer/?genesis=${gh}&validators=${net.validators
      .slice(1)
      .map((v) => v.url)
      .join(',')}#/${view}`;

  const vote = async (voter: string, candidate: string) => {
    const r = await client.submitVote({ voterId: voter, electionId: 1, encryptedVote: ballot(candidate) });
    return r;
  };
  /** The published results table, as {candidate: votes}. */
  const table = async (p: Page) =>
    Object.fromEntries(
      await p.$$eval('[data-testid=results] tbody tr', (rows) =>
        rows.map((r) => [
          r.querySelector('th')!.textContent!,
          Number(r.querySelector('td')!.textContent!.replace(/,/g, '')),
        ]),
      ),
    );

  beforeAll(async () => {
    net = await TestNetwork.create({
      slotMs: SLOT_MS,
      // The page of validator 1 reads validators 2 and 3 cross-origin.
      extraArgs: () => ['--rpc-cors-origins', net.validators.map((v) => v.url).join(',')],
    });
    proxy = await ValidatorProxy.start(net.validators[0]!.rpcPort);
    await net.start();
    await net.waitHealthy();
    gh = genesisHash(net.genesis);
    base = net.validators[0]!.url;
    client = createVotingClient({ validators: net.clientConfig(), genesis: net.genesis, healthCheckIntervalMs: 0 });
    browser = await launchBrowser();
    page = await browser.page();
  }, 90_000);

  afterAll(async () => {
    client?.close();
    await browser?.close();
    await proxy?.close();
    await net?.stop();
  }, 30_000);

  it('browsers asking for / are sent to the explorer; JSON clients keep the API index', async () => {
    await page.goto(`${base}/`);
    expect(new URL(page.url()).pathname).toBe('/explorer/');
    const json = await getJson(`${base}/`);
    expect(json.status).toBe(200);
    expect((json.body as { endpoints: string[] }).endpoints).toContain('GET /transactions/:hash/proof');
    const res = await fetch(`${base}/explorer/`);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
  });

  it('shows every validator healthy and live', async () => {
    await page.goto(url('network'));
    await page.getByText('Verifying against genesis').waitFor();
    for (const v of net.validators) {
      const card = page.locator(`article[data-validator="${v.url}"]`);
      await card.getByText('Healthy', { exact: true }).waitFor({ timeout: 15_000 });
      await card.getByText('Live: new blocks are pushed').waitFor({ timeout: 15_000 });
    }
    // Heights move without a reload.
    const first = await page.locator('article[data-validator] [data-field=finalized]').first().textContent();
    await page.waitForFunction(
      (before) => document.querySelector('article[data-validator] [data-field=finalized]')?.textContent !== before,
      first,
      { timeout: 10_000 },
    );
    await shot(page, '1-network');
    expect(page.problems).toEqual([]);
  }, 60_000);

  it('updates the results live as votes are submitted through the client, and the recount agrees', async () => {
    await page.goto(url('election/1'));
    await page.getByText('No votes yet').waitFor({ timeout: 15_000 });
    for (const [voter, candidate] of [
      ['v1', 'alice'],
      ['v2', 'alice'],
      ['v3', 'bob'],
    ] as const)
      await vote(voter, candidate);
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid=results] tbody tr').length === 2,
      undefined,
      { timeout: 20_000 },
    );
    await page.waitForFunction(
      () => /match the recount/.test(document.querySelector('[data-testid=audit]')?.textContent ?? ''),
      undefined,
      { timeout: 20_000 },
    );
    expect(await table(page)).toEqual({ alice: 2, bob: 1 });
    // More votes: the same page follows, still without a reload.
    for (const [voter, candidate] of [
      ['v4', 'carol'],
      ['v5', 'alice'],
      ['v6', 'bob'],
      ['v7', 'alice'],
    ] as const)
      await vote(voter, candidate);
    await page.waitForFunction(
      () => document.querySelector('[data-testid=published-total]')?.textContent?.startsWith('7 votes'),
      undefined,
      { timeout: 20_000 },
    );
    await page.waitForFunction(
      () => /match the recount.*7 votes/s.test(document.querySelector('[data-testid=audit]')?.textContent ?? ''),
      undefined,
      { timeout: 20_000 },
    );
    expect(await table(page)).toEqual({ alice: 4, bob: 2, carol: 1 });
    await page.getByText('Votes per block over time').waitFor();
    await shot(page, '2-election');
    expect(page.problems).toEqual([]);
  }, 60_000);

  it('lists the latest blocks with proposer, slot, votes and signers, verified', async () => {
    await page.goto(url('blocks'));
    await page
      .locator('article h3', { hasText: /^Block / })
      .first()
      .waitFor({ timeout: 15_000 });
    await page
      .getByText('✓ Verified: proposer signature and finality certificate')
      .first()
      .waitFor({ timeout: 15_000 });
    const first = page.locator('article').first();
    await expect(first.textContent()).resolves.toMatch(
      /Proposer\s*validator-\d.*Slot.*Votes.*Final by\s*validator-\d, validator-\d/s,
    );
    await shot(page, '3-blocks');
    expect(page.problems).toEqual([]);
  }, 30_000);

  it('finds a vote by its submission id: finalized, its inclusion verified in the browser', async () => {
    // A batch, so that the vote shares its block and its proof has siblings.
    const batch = await client.submitVotes(
      ['dave', 'erin', 'dave', 'frank', 'erin'].map((c, i) => ({
        voterId: `batch-${i}`,
        electionId: 1,
        encryptedVote: ballot(c),
      })),
    );
    const r = batch[2]!;
    if (!r.ok) throw new Error(`vote refused: ${r.error.message}`);
    await client.waitForConfirmation(r.hash, { timeoutMs: 20_000 });
    await page.goto(url(`vote/${encodeURIComponent(r.submissionId)}`));
    await page.locator('[data-testid=vote-status]', { hasText: 'finalized' }).waitFor({ timeout: 15_000 });
    const inclusion = page.locator('[data-testid=inclusion]');
    await inclusion.getByText('✓ Inclusion verified in this browser').waitFor({ timeout: 15_000 });
    const text = (await inclusion.textContent()) ?? '';
    expect(text).toContain('certified by');
    expect(text).toContain("in the block's transaction root");
    expect(text).not.toContain('✗');
    expect(await page.locator('[data-testid=vote]').textContent()).toContain(r.hash);
    await shot(page, '4-vote-verified');
    // The endpoint the page used, and its JSON-RPC twin, give the same proof.
    const proof = await getJson(`${base}/transactions/${r.hash}/proof`);
    const taker = net.validators.find((v) => v.id === r.validator)!;
    const rpc = await fetch(`${taker.url}/rpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'poa_getProof', params: [r.submissionId] }),
    });
    expect(((await rpc.json()) as { result: unknown }).result).toEqual(proof.body);
    expect(proof.body).toMatchObject({ transactionHash: r.hash, leaf: r.hash, algorithm: 'rfc6962-sha256' });
    expect(page.problems).toEqual([]);
  }, 60_000);

  it('says clearly that a vote does not exist', async () => {
    await page.goto(url('vote/no-such-submission-id'));
    const missing = page.locator('[data-testid=vote-missing]');
    await missing.waitFor({ timeout: 10_000 });
    expect(await missing.textContent()).toContain(
      'No vote with the hash or submission id “no-such-submission-id” is known to any of the 3 validators asked',
    );
    await shot(page, '5-vote-unknown');
  }, 30_000);

  it('trusts a pasted genesis, and is used with the keyboard alone', async () => {
    const fresh = await browser.page();
    await fresh.goto(`${base}/explorer/#/network`);
    await fresh.getByText('Not verifying yet.').waitFor();
    // Tab from the top of the page to the "Trusted genesis" link, then Enter.
    let reached = false;
    for (let i = 0; i < 12 && !reached; i++) {
      await fresh.keyboard.press('Tab');
      reached = await fresh.evaluate(() => document.activeElement?.textContent === 'Trusted genesis');
    }
    expect(reached).toBe(true);
    await fresh.keyboard.press('Enter');
    await fresh.getByRole('heading', { name: 'The genesis you trust' }).waitFor();
    await fresh.getByLabel('Or paste the genesis document (JSON)').focus();
    await fresh.keyboard.insertText(JSON.stringify(net.genesis, null, 2));
    await fresh.keyboard.press('Tab');
    await fresh.keyboard.press('Enter');
    await fresh.getByText('Verifying against genesis').waitFor();
    expect(await fresh.locator('.card').textContent()).toContain(gh);
    for (const a of net.genesis.authorities) expect(await fresh.locator('.card').textContent()).toContain(a.publicKey);
    // The hash is now in the address, so the link can be shared.
    expect(new URL(fresh.url()).searchParams.get('genesis')).toBe(gh);
    await shot(fresh, '0-trusted-genesis');
    // A wrong hash in a link is refused in words.
    await fresh.goto(`${base}/explorer/?genesis=0x${'00'.repeat(32)}#/election/1`);
    await fresh
      .getByText(
        /The genesis in the link cannot be trusted: .* serves a genesis whose hash is 0x[0-9a-f]{64}, not the 0x0{64} you trust/,
      )
      .waitFor();
    expect(fresh.problems).toEqual([]);
    await fresh.close();
  }, 30_000);

  it('shows the mismatch when a validator publishes a tampered tally', async () => {
    proxy.rewrite = (path, body) => {
      if (!path.startsWith('/results')) return undefined;
      const answer = body as { counts: Record<string, number>; total: number };
      const counts = { ...answer.counts, alice: (answer.counts.alice ?? 0) + 100 };
      return { ...answer, counts, results: counts, total: answer.total + 100 };
    };
    const tampered = await browser.page();
    await tampered.goto(`${proxy.url}/explorer/?genesis=${gh}#/election/1`);
    const audit = tampered.locator('[data-testid=audit]');
    await audit
      .getByText('✗ Mismatch: the published results differ from the verified chain')
      .waitFor({ timeout: 20_000 });
    const diff = await tampered.$$eval('[data-testid=differences] tbody tr', (rows) => rows.map((r) => r.textContent));
    expect(diff).toEqual(['alice104' + '4']);
    await shot(tampered, '6-election-tampered');
    proxy.rewrite = undefined;
    await tampered.close();
  }, 60_000);
});
