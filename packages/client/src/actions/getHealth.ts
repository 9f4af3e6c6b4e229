/** Ask every validator (or one) how it is doing. */
import { must } from '@poa-vote/shared';
import type { ClientContext } from '../context.js';
import { BaseError, InvalidArgumentError } from '../errors.js';
import { formatHealth, type HealthReport } from '../formatters/health.js';
import type { ValidatorHandle } from '../pool/validatorPool.js';

export interface GetHealthParameters {
  /** Only this validator. */
  validator?: string;
  signal?: AbortSignal;
}

export interface ValidatorHealth {
  nodeId: string;
  rpcUrl: string;
  /** The /health answer; undefined when the validator did not answer. */
  report: HealthReport | undefined;
  /** Why there is no report. */
  error: BaseError | undefined;
}

export type GetHealthReturnType = ValidatorHealth[];

/**
 * /health of each validator, queried in parallel; a validator that does not answer has `error`.
 * (The pool's monitor keeps the same information in `client.pool.validators`.)
 * @example
 * for (const h of await getHealth(client)) console.log(h.nodeId, h.report?.healthy ?? h.error?.shortMessage);
 */
export async function getHealth(
  client: ClientContext,
  options: GetHealthParameters = {},
): Promise<GetHealthReturnType> {
  let handles: ValidatorHandle[];
  if (options.validator !== undefined) {
    const h = client.pool.handle(options.validator);
    if (!h) throw new InvalidArgumentError('validator', `${options.validator} is not one of the configured validators`);
    handles = [h];
  } else handles = client.pool.validators.map((s) => must(client.pool.handle(s.nodeId), `handle of ${s.nodeId}`));
  return Promise.all(
    handles.map(async (h): Promise<ValidatorHealth> => {
      try {
        const { status, body } = await h.transport.get('/health', {
          acceptStatus: [503],
          ...(options.signal ? { signal: options.signal } : {}),
        });
        return {
          nodeId: h.nodeId,
          rpcUrl: h.rpcUrl,
          report: formatHealth(body, status, `${h.rpcUrl}/health`),
          error: undefined,
        };
      } catch (err) {
        return {
          nodeId: h.nodeId,
          rpcUrl: h.rpcUrl,
          report: undefined,
          error: err instanceof BaseError ? err : new BaseError(String(err), { cause: err }),
        };
      }
    }),
  );
}
