/** Prometheus metrics of a validator: the interface the node and the API report to, and its prom-client implementation. */
export type { ApiMetrics, NodeGauges, NodeMetrics } from './interface.js';
export { type MetricsOptions, defaultMetricsOptions } from './options.js';
export { PromMetrics } from './metrics.js';
