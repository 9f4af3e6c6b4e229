/** Polling helpers: real processes are observed from outside, so tests wait for conditions. */

/** Resolve after ms milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Poll until the predicate holds; throws with a description and diagnostics on timeout. */
export async function waitFor(
  pred: () => Promise<boolean> | boolean,
  timeoutMs: number,
  what: string,
  diag?: () => string,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await pred()) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > end)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${diag ? `\n${diag()}` : ''}`);
    await sleep(100);
  }
}

/** Poll until `get` gives a value (anything but undefined; a throw counts as not yet) and return it. */
export async function waitForValue<T>(
  get: () => Promise<T | undefined>,
  timeoutMs: number,
  what: string,
  diag?: () => string,
): Promise<T> {
  let value: T | undefined;
  await waitFor(
    async () => {
      value = await get();
      return value !== undefined;
    },
    timeoutMs,
    what,
    diag,
  );
  return value as T;
}
