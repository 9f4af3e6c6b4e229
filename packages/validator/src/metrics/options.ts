/** Settings of the metrics module. */
export interface MetricsOptions {
  /** Prefix of this chain's metrics (Prometheus convention: the application's name). */
  prefix: string;
  /** Also export Node.js process metrics (event loop lag, heap, GC, CPU, file descriptors). */
  processMetrics: boolean;
  /** Constant labels on every series (e.g. {node: "validator-1"}). */
  labels: Record<string, string>;
}

export const defaultMetricsOptions: MetricsOptions = { prefix: 'poa_', processMetrics: true, labels: {} };
