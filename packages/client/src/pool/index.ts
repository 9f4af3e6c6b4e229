/** The validator pool: health monitoring, selection, and failover. */
export { ValidatorPool, type ValidatorHandle, type ValidatorPoolEvents } from './validatorPool.js';
export { defaultValidators, defaultValidatorPoolOptions, resolveValidatorPoolOptions } from './options.js';
export type {
  ValidatorConfig,
  ValidatorPoolOptions,
  SelectionStrategy,
  ResolvedValidatorPoolOptions,
} from './options.js';
export type { ValidatorStatus } from './validatorStatus.js';
export { rankByLatency, nextInRotation } from './selection.js';
export {
  withFailover,
  isRetryable,
  defaultRetryOptions,
  type RetryOptions,
  type FailoverOptions,
  type FailoverResult,
} from './failover.js';
