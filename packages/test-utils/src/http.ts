/** HTTP and JSON-RPC calls to a validator's API, as a client outside the process makes them. */

let rpcId = 1;

/** One JSON-RPC call; returns the whole response object. */
export async function rpc(
  url: string,
  method: string,
  params: unknown,
  id: string | number = rpcId++,
  timeoutMs = 10_000,
): Promise<Record<string, unknown>> {
  const r = await fetch(`${url}/rpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', method, params, id }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  return (await r.json()) as Record<string, unknown>;
}

/** A JSON-RPC batch: the responses in the order of the calls (matched by id). */
export async function rpcBatch(
  url: string,
  calls: { method: string; params: unknown }[],
  timeoutMs = 10_000,
): Promise<Record<string, unknown>[]> {
  const first = rpcId;
  rpcId += calls.length;
  const r = await fetch(`${url}/rpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(calls.map((c, k) => ({ jsonrpc: '2.0', method: c.method, params: c.params, id: first + k }))),
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!r.ok) throw new Error(`batch of ${calls.length} to ${url} answered HTTP ${r.status}`);
  const body = (await r.json()) as Record<string, unknown>[];
  if (!Array.isArray(body))
    throw new Error(`batch of ${calls.length} to ${url} answered ${JSON.stringify(body).slice(0, 200)}`);
  const byId = new Map(body.map((b) => [b.id, b]));
  return calls.map(
    (_, k) => byId.get(first + k) ?? { error: { code: 0, message: `no response for call ${k} of the batch` } },
  );
}

/** GET a JSON document: status and parsed body. */
export async function getJson(url: string, timeoutMs = 10_000): Promise<{ status: number; body: any }> {
  const r = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  return { status: r.status, body: await r.json() };
}

/** GET /health, or undefined when the node does not answer. */
export async function fetchHealth(
  url: string,
): Promise<{ ok: boolean; status: number; body: Record<string, unknown> } | undefined> {
  try {
    const r = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
    return { ok: r.ok, status: r.status, body: (await r.json()) as Record<string, unknown> };
  } catch {
    return undefined;
  }
}

/** A validator's finalized height (eth_blockNumber). */
export async function finalizedHeight(url: string, timeoutMs = 10_000): Promise<number> {
  const r = await rpc(url, 'eth_blockNumber', [], undefined, timeoutMs);
  if (typeof r.result !== 'string')
    throw new Error(`eth_blockNumber on ${url} answered ${JSON.stringify(r).slice(0, 200)}`);
  return Number(r.result);
}
