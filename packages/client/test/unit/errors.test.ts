import { describe, expect, it } from '@jest/globals';
import {
  BaseError,
  DoubleVoteError,
  HttpRequestError,
  NoHealthyValidatorError,
  QuorumDisagreementError,
  RpcError,
  TimeoutError,
  VerificationError,
  isRetryable,
} from '@poa-vote/client';

describe('BaseError', () => {
  it('puts the short message first, then meta messages and details, and keeps the cause', () => {
    const cause = new Error('socket hang up');
    const e = new BaseError('Request failed', { cause, metaMessages: ['URL: http://x'] });
    expect(e.name).toBe('BaseError');
    expect(e.shortMessage).toBe('Request failed');
    expect(e.details).toBe('socket hang up');
    expect(e.message).toBe('Request failed\n\nURL: http://x\n\nDetails: socket hang up');
    expect(e.cause).toBe(cause);
    expect(e.walk()).toBe(cause);
  });

  it('every subclass has a stable name and is a BaseError', () => {
    const errs = [
      new HttpRequestError({ url: 'http://x', status: 500 }),
      new RpcError({ code: -32603, message: 'boom' }),
      new DoubleVoteError({ conflictsWith: '0x1' }),
      new TimeoutError('op', 10),
      new VerificationError(['block 2: bad'], 1),
      new NoHealthyValidatorError([{ validator: 'validator-1', error: new TimeoutError('op', 10) }]),
      new QuorumDisagreementError([{ validator: 'validator-1', height: 3, value: { a: 1 } }], 'differ'),
    ];
    expect(errs.map((e) => e.name)).toEqual([
      'HttpRequestError',
      'RpcError',
      'DoubleVoteError',
      'TimeoutError',
      'VerificationError',
      'NoHealthyValidatorError',
      'QuorumDisagreementError',
    ]);
    expect(errs.every((e) => e instanceof BaseError)).toBe(true);
    expect(errs[5]!.message).toMatch(/Attempt 1 on validator-1: op timed out after 10 ms/);
    expect(errs[6]!.message).toMatch(/validator-1 at height 3: \{"a":1\}/);
  });
});

describe('isRetryable', () => {
  it('retries what another validator might answer differently, and nothing else', () => {
    expect(isRetryable(new HttpRequestError({ url: 'x' }))).toBe(true);
    expect(isRetryable(new HttpRequestError({ url: 'x', status: 502 }))).toBe(true);
    expect(isRetryable(new HttpRequestError({ url: 'x', status: 429 }))).toBe(true);
    expect(isRetryable(new HttpRequestError({ url: 'x', status: 400 }))).toBe(false);
    expect(isRetryable(new TimeoutError('x', 1))).toBe(true);
    expect(isRetryable(new RpcError({ code: -32011, message: 'pool full' }))).toBe(true);
    expect(isRetryable(new RpcError({ code: -32603, message: 'internal' }))).toBe(true);
    expect(isRetryable(new RpcError({ code: -32602, message: 'invalid' }))).toBe(false);
    expect(isRetryable(new RpcError({ code: -32010, message: 'double' }))).toBe(false);
    expect(isRetryable(new DoubleVoteError({}))).toBe(false);
    expect(isRetryable(new Error('bug'))).toBe(false);
  });
});
