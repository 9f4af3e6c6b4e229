/**
 * Status checks of many waiters coalesced into one JSON-RPC batch per turn of the event loop:
 * when a finalized head arrives, a thousand votes waiting on it cost one request, not a thousand.
 */
import { at } from '@poa-vote/shared';
import type { ClientContext } from '../context.js';
import { BaseError } from '../errors.js';
import { formatTxStatus } from '../formatters/txStatus.js';
import { withFailover } from '../pool/failover.js';
import type { GetTransactionStatusReturnType } from './getTransactionStatus.js';

const MAX_BATCH = 500;

interface Waiter {
  resolve: (s: GetTransactionStatusReturnType) => void;
  reject: (e: unknown) => void;
}

/** Pending checks of one client, grouped by preferred validator then by reference. */
class StatusBatcher {
  readonly #groups = new Map<string, Map<string, Waiter[]>>();
  #scheduled = false;

  constructor(readonly client: ClientContext) {}

  check(ref: string, prefer: string | undefined): Promise<GetTransactionStatusReturnType> {
    return new Promise((resolve, reject) => {
      const key = prefer ?? '';
      let group = this.#groups.get(key);
      if (!group) {
        group = new Map();
        this.#groups.set(key, group);
      }
      const list = group.get(ref);
      if (list) list.push({ resolve, reject });
      else group.set(ref, [{ resolve, reject }]);
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#scheduled = false;
    const groups = [...this.#groups.entries()];
    this.#groups.clear();
    for (const [prefer, group] of groups) {
      const refs = [...group.keys()];
      for (let i = 0; i < refs.length; i += MAX_BATCH) void this.#send(prefer, refs.slice(i, i + MAX_BATCH), group);
    }
  }

  async #send(prefer: string, refs: string[], group: Map<string, Waiter[]>): Promise<void> {
    const settle = (ref: string, fn: (w: Waiter) => void): void => group.get(ref)?.forEach(fn);
    try {
      const { value, validator } = await withFailover(
        this.client.pool,
        `poa_getTransactionStatus for ${refs.length} vote${refs.length === 1 ? '' : 's'}`,
        (v, signal) =>
          v.transport.batch(
            refs.map((ref) => ({ method: 'poa_getTransactionStatus', params: [ref] })),
            signal ? { signal } : {},
          ),
        { retry: this.client.retry, ...(prefer ? { prefer } : {}) },
      );
      value.forEach((o, i) => {
        const ref = at(refs, i, 'batched reference');
        if (!o.ok) {
          settle(ref, (w) => w.reject(o.error));
          return;
        }
        try {
          const s = { ...formatTxStatus(o.result, `${validator.rpcUrl}/rpc`), validator: validator.nodeId };
          settle(ref, (w) => w.resolve(s));
        } catch (err) {
          settle(ref, (w) => w.reject(err));
        }
      });
    } catch (err) {
      for (const ref of refs)
        settle(ref, (w) => w.reject(err instanceof BaseError ? err : new BaseError(String(err), { cause: err })));
    }
  }
}

const batchers = new WeakMap<ClientContext, StatusBatcher>();

/** The status of a vote, checked together with every other check of this turn. */
export function batchedTransactionStatus(
  client: ClientContext,
  ref: string,
  prefer: string | undefined,
): Promise<GetTransactionStatusReturnType> {
  let b = batchers.get(client);
  if (!b) {
    b = new StatusBatcher(client);
    batchers.set(client, b);
  }
  return b.check(ref, prefer);
}
