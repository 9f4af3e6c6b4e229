// Polling a validator's GET /health.

/** One /health request: {status, body} when the node answered (any HTTP status), else undefined. */
export async function fetchHealth(rpcUrl, { timeoutMs = 2000 } = {}) {
  try {
    const res = await fetch(new URL('/health', rpcUrl), { signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
    return { status: res.status, body };
  } catch {
    return undefined;
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Wait until /health answers (with `healthy`: answers 200). Rejects after `timeoutMs`, or at once
 * when `signal` aborts; the error names the URL and the last answer.
 */
export async function waitForHealth(rpcUrl, { timeoutMs = 30_000, intervalMs = 250, healthy = false, signal } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    signal?.throwIfAborted();
    last = await fetchHealth(rpcUrl, { timeoutMs: Math.min(2000, Math.max(100, deadline - Date.now())) });
    if (last && (!healthy || last.status === 200)) return last;
    if (Date.now() >= deadline) {
      const seen = last
        ? `last answer: HTTP ${last.status} ${JSON.stringify(last.body?.reasons ?? last.body)}`
        : 'no answer';
      throw new Error(
        `${rpcUrl}/health did not ${healthy ? 'report healthy' : 'answer'} within ${timeoutMs} ms (${seen})`,
      );
    }
    await sleep(intervalMs);
  }
}
