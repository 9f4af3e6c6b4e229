/** The deterministic simulator of the consensus core: scenarios, runs, and the invariant checker. */
export { Rng } from './rng.js';
export { EventQueue, type Scheduled } from './eventQueue.js';
export { SimDisk } from './disk.js';
export { type AckedTx, InvariantChecker, InvariantCode, InvariantViolation } from './invariants.js';
export { Trace, type TraceOptions, fmtMsg, fmtOutput } from './trace.js';
export {
  BrokenVariant,
  DEFAULT_FAULT_SLOTS,
  DEFAULT_HEAL_SLOTS,
  type FaultAction,
  type FaultEvent,
  type NetworkParams,
  type Profile,
  type Scenario,
  type ScenarioOptions,
  SLOT_MS,
  TOPOLOGIES,
  type Topology,
  describeScenario,
  fmtSeconds,
  makeScenario,
  topologyName,
} from './scenario.js';
export {
  LIVENESS_BLOCKS,
  LIVENESS_SLOTS,
  LOAD_QUIET_SLOTS,
  TICK_MS,
  type SimFailure,
  type SimOptions,
  type SimResult,
  type SimStats,
  runScenario,
  scenarioGenesis,
} from './simulator.js';
