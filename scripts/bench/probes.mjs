// Read-path latency probes: /results, /health and receipts, sequential on one keep-alive socket.
// Taken on a short chain and again on the long one: equal numbers mean cost independent of length.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { summary, round } from './stats.mjs';

function request(agent, url, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: body ? 'POST' : 'GET', agent, headers: body ? { 'content-type': 'application/json' } : {} },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function time(n, fn) {
  const ms = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    ms.push(performance.now() - t);
  }
  const s = summary(ms);
  return { p50: round(s.p50, 2), p99: round(s.p99, 2) };
}

/**
 * Latency (ms) of GET /results, GET /health and eth_getTransactionReceipt on one validator.
 * `receiptRefs` are transaction ids or hashes of finalized votes (empty: receipts of unknown ids).
 */
export async function probeReads(rpcUrl, electionId, receiptRefs, n = 200) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const base = new URL(rpcUrl);
    const results = await time(n, () => request(agent, new URL(`/results?election_id=${electionId}`, base)));
    const health = await time(n, () => request(agent, new URL('/health', base)));
    const receipt = await time(n, async (i) => {
      const ref = receiptRefs.length > 0 ? receiptRefs[i % receiptRefs.length] : `tx-none-${i}`;
      const r = await request(
        agent,
        new URL('/rpc', base),
        JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_getTransactionReceipt', params: [ref] }),
      );
      if (receiptRefs.length > 0 && !JSON.parse(r.text).result) throw new Error(`no receipt for ${ref} on ${rpcUrl}`);
    });
    return { resultsMs: results, healthMs: health, receiptMs: receipt };
  } finally {
    agent.destroy();
  }
}
