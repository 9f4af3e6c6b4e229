// The load generator: node:http keep-alive agents, a closed loop of `concurrency` requests in
// flight, one vote per request (as Python backends send them) or JSON-RPC batches. The same code
// drives the validators and the bare node:http echo, so the two are comparable.
import http from 'node:http';
import { performance } from 'node:perf_hooks';

const HASH_RE = /^0x[0-9a-f]{64}$/;

/** POST a body; resolves {status, text}. */
export function post(agent, url, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode,
            text: chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * POST, resending when a kept-alive socket was closed by the server as the request went out
 * (ECONNRESET/EPIPE): safe, because a vote resent has the same hash and submission id.
 */
async function postRetrying(target, body, attempts = 3) {
  for (let k = 1; ; k++) {
    try {
      return await post(target.agent, target.url, body);
    } catch (e) {
      if (k >= attempts || (e.code !== 'ECONNRESET' && e.code !== 'EPIPE')) throw e;
    }
  }
}

/** One keep-alive agent per target URL. */
export function makeTargets(urls, concurrency) {
  return urls.map((u) => ({
    url: new URL('/rpc', u),
    agent: new http.Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency }),
  }));
}

export function closeTargets(targets) {
  for (const t of targets) t.agent.destroy();
}

function rpcBody(v) {
  return `{"jsonrpc":"2.0","id":${JSON.stringify(v.id)},"method":"eth_sendTransaction","params":[${JSON.stringify(v.tx)}]}`;
}

/**
 * Drive votes. `factory.vote(i)` makes vote i; stops after `count` votes or, with `durationMs`,
 * when that much time has passed. With `rate` (votes/s), vote i is not sent before i/rate s
 * after the start (paced, at most `concurrency` requests in flight); without it, a closed loop.
 * Records the send time of every vote (ms, performance.now()).
 * Returns {sent, accepted, errors, firstError, startedAt, endedAt, sentAt: Float64Array}.
 */
export async function runLoad({
  targets,
  factory,
  mode,
  count,
  durationMs,
  batchSize = 1,
  concurrency,
  rate,
  onError,
}) {
  const perRequest = mode === 'batch' ? batchSize : 1;
  const limit = count ?? Number.MAX_SAFE_INTEGER;
  const sentAt = new Float64Array(count ?? 0);
  let next = 0;
  let accepted = 0;
  let errors = 0;
  let firstError;
  let requests = 0;
  const ackMs = [];
  const startedAt = performance.now();
  const deadline = durationMs === undefined ? Infinity : startedAt + durationMs;
  const fail = (msg) => {
    errors++;
    firstError ??= msg;
    onError?.(msg);
  };

  async function worker(w) {
    for (;;) {
      if (next >= limit || performance.now() >= deadline) return;
      const from = next;
      const to = Math.min(limit, from + perRequest);
      next = to;
      if (rate !== undefined) {
        const due = startedAt + (1000 * from) / rate;
        const wait = due - performance.now();
        if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      }
      const votes = [];
      for (let i = from; i < to; i++) votes.push(factory.vote(i));
      const body = mode === 'batch' ? `[${votes.map(rpcBody).join(',')}]` : rpcBody(votes[0]);
      const target = targets[(requests++ + w) % targets.length];
      const t = performance.now();
      if (count !== undefined) for (let i = from; i < to; i++) sentAt[i] = t;
      let res;
      try {
        res = await postRetrying(target, body);
        ackMs.push(performance.now() - t);
      } catch (e) {
        for (let i = from; i < to; i++) fail(`${target.url.host}: ${e.message}`);
        continue;
      }
      if (res.status !== 200) {
        for (let i = from; i < to; i++) fail(`${target.url.host}: HTTP ${res.status} ${res.text.slice(0, 200)}`);
        continue;
      }
      let answer;
      try {
        answer = JSON.parse(res.text);
      } catch {
        for (let i = from; i < to; i++) fail(`${target.url.host}: reply is not JSON`);
        continue;
      }
      const list = Array.isArray(answer) ? answer : [answer];
      if (list.length !== votes.length) {
        for (let i = from; i < to; i++) fail(`${target.url.host}: ${list.length} replies to ${votes.length} calls`);
        continue;
      }
      for (const r of list) {
        if (typeof r?.result === 'string' && HASH_RE.test(r.result)) accepted++;
        else fail(`${target.url.host}: ${JSON.stringify(r?.error ?? r).slice(0, 300)}`);
      }
    }
  }

  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  return { sent: next, accepted, errors, firstError, requests, startedAt, endedAt: performance.now(), sentAt, ackMs };
}
