/**
 * The gate every write (eth_sendTransaction) passes before it reaches the node: the credential
 * (Authorization: Bearer, or an open write when the node allows them), the write rate of that
 * credential or client address, and the submission id's binding. Calls refused here cost the
 * node nothing; the others of the batch still go to the node together, in one submit.
 */
import { at, type Hex, type Transaction, txHash } from '@poa-vote/shared';
import type { NodeApiBackend, SubmitOutcome } from '../interface.js';
import type { Logger } from '../../util/logger.js';
import type { JsonRpcError } from '../jsonrpc/errors.js';
import type { JsonRpcId, RpcSession } from '../jsonrpc/types.js';
import { type ApiTokenSet, NO_TOKENS } from './apiTokens.js';
import { ApiTokenFile, type ReloadResult, isReadableByOthers } from './apiTokenFile.js';
import { WriteErrorCode, unauthorized, writeRateExceeded } from './errors.js';
import { defaultWriteLimits, type WriteAccessOptions } from './options.js';
import { RateLimiter, addressKey } from './rateLimiter.js';
import { clientOf } from './session.js';
import { type ClaimTicket, SubmissionIdGuard, submissionIdOf } from './submissionIds.js';

/** One eth_sendTransaction call. */
export interface WriteCall {
  tx: Transaction;
  /** The JSON-RPC id (the submission id); undefined for a notification. */
  id: JsonRpcId | undefined;
  session: RpcSession;
}

/** The node's answer, or the gate's refusal. */
export type WriteOutcome = SubmitOutcome | { error: JsonRpcError };

/** Who is writing: a named credential, or an anonymous address (open writes). */
interface Writer {
  credential: string | undefined;
  /** Rate-limit bucket key. */
  key: string;
}

/** Credentials, rate limits and submission-id binding for writes. */
export class WriteGate {
  readonly openWrites: boolean;
  readonly #backend: Pick<NodeApiBackend, 'submit' | 'submissionOwner'>;
  readonly #logger: Logger;
  readonly #file: ApiTokenFile | undefined;
  readonly #static: ApiTokenSet;
  readonly #perCredential: RateLimiter;
  readonly #perAddress: RateLimiter;
  readonly #ids: SubmissionIdGuard;

  /** Reads the tokens file at once (throws ApiTokensFileError if it is missing or invalid). */
  constructor(backend: Pick<NodeApiBackend, 'submit' | 'submissionOwner'>, opts: WriteAccessOptions, logger: Logger) {
    this.#backend = backend;
    this.#logger = logger;
    this.openWrites = opts.openWrites;
    this.#file = opts.apiTokensFile === undefined ? undefined : new ApiTokenFile(opts.apiTokensFile, logger);
    this.#static = opts.apiTokens ?? NO_TOKENS;
    this.#perCredential = new RateLimiter({
      rate: opts.ratePerCredential ?? defaultWriteLimits.ratePerCredential,
      burst: opts.burstPerCredential ?? defaultWriteLimits.burstPerCredential,
    });
    this.#perAddress = new RateLimiter({
      rate: opts.ratePerAddress ?? defaultWriteLimits.ratePerAddress,
      burst: opts.burstPerAddress ?? defaultWriteLimits.burstPerAddress,
    });
    this.#ids = new SubmissionIdGuard((id) => backend.submissionOwner(id));
  }

  /** The tokens in force. */
  get tokens(): ApiTokenSet {
    return this.#file?.tokens ?? this.#static;
  }

  /** Start watching the tokens file; log how writes are guarded. */
  start(): void {
    const names = this.tokens.names;
    if (this.#file) {
      if (isReadableByOthers(this.#file.path))
        this.#logger.warn({ file: this.#file.path }, 'API tokens file is readable by group or others: chmod 600 it');
      this.#file.watch();
    }
    if (this.openWrites) {
      this.#logger.warn(
        { tokens: names, ratePerAddress: this.#perAddress.limit.rate, burstPerAddress: this.#perAddress.limit.burst },
        'writes are OPEN: eth_sendTransaction is accepted without a credential (insecure; for devnets and tests)',
      );
    } else {
      if (names.length === 0)
        this.#logger.warn({ file: this.#file?.path }, 'no API tokens: every write is refused until tokens are added');
      this.#logger.info(
        {
          tokens: names,
          ratePerCredential: this.#perCredential.limit.rate,
          burstPerCredential: this.#perCredential.limit.burst,
        },
        'writes need an API token',
      );
    }
  }

  /** Stop watching the tokens file. */
  stop(): void {
    this.#file?.unwatch();
  }

  /** Read the tokens file again (SIGHUP); without a file there is nothing to reload. */
  reloadTokens(reason: string): ReloadResult | undefined {
    return this.#file?.reload(reason);
  }

  /** Admit, limit and submit the writes of one batch; one outcome per call, in order. */
  async submit(calls: readonly WriteCall[]): Promise<WriteOutcome[]> {
    const out: (WriteOutcome | undefined)[] = new Array(calls.length);
    const writers = new Map<RpcSession, Writer | JsonRpcError>();
    const admitted: { index: number; tx: Transaction; submissionId?: string; credential: string | undefined }[] = [];
    for (const [i, call] of calls.entries()) {
      let writer = writers.get(call.session);
      if (writer === undefined) {
        writer = this.#authenticate(call.session);
        writers.set(call.session, writer);
      }
      if (!('key' in writer)) {
        out[i] = { error: writer };
        continue;
      }
      const submissionId = submissionIdOf(call.id);
      if (typeof submissionId === 'object') {
        out[i] = { error: submissionId };
        continue;
      }
      const limited = this.#charge(writer);
      if (limited) {
        out[i] = { error: limited };
        continue;
      }
      admitted.push({
        index: i,
        tx: call.tx,
        credential: writer.credential,
        ...(submissionId !== undefined ? { submissionId } : {}),
      });
    }

    // Claims are taken synchronously, in call order, before anything is awaited.
    const claims = admitted.map((a) =>
      a.submissionId === undefined ? undefined : this.#ids.claim(a.submissionId, txHash(a.tx) as Hex, a.credential),
    );
    const tickets = await Promise.all(claims.map((c) => c?.catch((e: unknown) => ({ failed: e }))));
    const toSubmit: { a: (typeof admitted)[number]; ticket: ClaimTicket | undefined }[] = [];
    let failure: unknown;
    admitted.forEach((a, k) => {
      const t = tickets[k];
      if (t !== undefined && 'failed' in t) failure ??= t.failed;
      else if (t !== undefined && !('release' in t)) out[a.index] = { error: t };
      else toSubmit.push({ a, ticket: t });
    });
    if (failure !== undefined) {
      for (const s of toSubmit) s.ticket?.release(false);
      throw failure;
    }
    if (toSubmit.length > 0) {
      let outcomes: SubmitOutcome[];
      try {
        outcomes = await this.#backend.submit(
          toSubmit.map(({ a }) => ({
            tx: a.tx,
            ...(a.submissionId !== undefined ? { submissionId: a.submissionId } : {}),
          })),
        );
      } catch (e) {
        for (const s of toSubmit) s.ticket?.release(false);
        throw e;
      }
      toSubmit.forEach((s, k) => {
        const o = at(outcomes, k, 'submit outcome');
        s.ticket?.release(o.ok);
        out[s.a.index] = o;
      });
    }
    return out as WriteOutcome[];
  }

  #authenticate(session: RpcSession): Writer | JsonRpcError {
    const client = clientOf(session);
    if (client.authorization !== undefined) {
      const token = /^Bearer +(\S+) *$/i.exec(client.authorization)?.[1];
      if (token === undefined) return unauthorized(WriteErrorCode.CREDENTIAL_MALFORMED);
      const name = this.tokens.match(token);
      if (name === undefined) {
        this.#logger.debug({ address: client.address }, 'write with an unknown API token refused');
        return unauthorized(WriteErrorCode.CREDENTIAL_INVALID);
      }
      return { credential: name, key: name };
    }
    if (!this.openWrites) return unauthorized(WriteErrorCode.CREDENTIAL_MISSING);
    return { credential: undefined, key: addressKey(client.address) };
  }

  #charge(writer: Writer): JsonRpcError | undefined {
    const limiter = writer.credential !== undefined ? this.#perCredential : this.#perAddress;
    const retryAfterMs = limiter.take(writer.key);
    if (retryAfterMs === 0) return undefined;
    const scope = writer.credential !== undefined ? 'credential' : 'address';
    return writeRateExceeded(scope, writer.key, limiter.limit.rate, limiter.limit.burst, retryAfterMs);
  }
}
