/** Combining abort signals without AbortSignal.any, whose listeners leak on long-lived parents in Node 20. */

/** A controller aborted when any parent aborts; `dispose()` detaches it from the parents. */
export function linkedAbortController(...parents: (AbortSignal | undefined)[]): {
  controller: AbortController;
  dispose: () => void;
} {
  const controller = new AbortController();
  const detach: (() => void)[] = [];
  for (const p of parents) {
    if (!p) continue;
    if (p.aborted) {
      controller.abort(p.reason);
      break;
    }
    const onAbort = (): void => controller.abort(p.reason);
    p.addEventListener('abort', onAbort, { once: true });
    detach.push(() => p.removeEventListener('abort', onAbort));
  }
  return {
    controller,
    dispose: () => {
      for (const d of detach) d();
    },
  };
}
