// Preloaded into validator processes (node --import) by the adversarial API tests: reports the
// event-loop delay (node:perf_hooks histogram) every 250 ms on stderr, one JSON line each.
import { monitorEventLoopDelay } from 'node:perf_hooks';

const h = monitorEventLoopDelay({ resolution: 5 });
h.enable();
setInterval(() => {
  process.stderr.write(
    `${JSON.stringify({ probe: 'eventLoopDelay', at: Date.now(), maxMs: +(h.max / 1e6).toFixed(1), p99Ms: +(h.percentile(99) / 1e6).toFixed(1) })}\n`,
  );
  h.reset();
}, 250).unref();
