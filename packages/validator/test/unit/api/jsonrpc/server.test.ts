import { describe, it, expect } from '@jest/globals';
import { z } from 'zod';
import { ProtocolError, ProtocolErrorCode } from '@poa-vote/shared';
import { JsonRpcServer } from '../../../../src/api/jsonrpc/server.js';
import { JsonRpcError, JsonRpcErrorCode } from '../../../../src/api/jsonrpc/errors.js';
import { defineMethod, type RpcSession } from '../../../../src/api/jsonrpc/types.js';
import { mapBackendError } from '../../../../src/api/jsonrpc/methods/index.js';

const session: RpcSession = { transport: 'http' };

function makeServer(): { rpc: JsonRpcServer; manyCalls: number[] } {
  const manyCalls: number[] = [];
  const rpc = new JsonRpcServer({ mapError: mapBackendError });
  rpc.register(
    'add',
    defineMethod({ paramNames: ['a', 'b'], params: z.tuple([z.number(), z.number()]), call: ([a, b]) => a + b }),
  );
  rpc.register('nothing', defineMethod({ paramNames: [], params: z.tuple([]), call: () => undefined }));
  rpc.register(
    'boom',
    defineMethod({
      paramNames: [],
      params: z.tuple([]),
      call: () => {
        throw new Error('disk on fire');
      },
    }),
  );
  rpc.register(
    'protocol',
    defineMethod({
      paramNames: [],
      params: z.tuple([]),
      call: () => {
        throw new ProtocolError(ProtocolErrorCode.TX_INVALID, 'transaction "to" must be "election-<id>"');
      },
    }),
  );
  rpc.register(
    'custom',
    defineMethod({
      paramNames: [],
      params: z.tuple([]),
      call: () => {
        throw new JsonRpcError(JsonRpcErrorCode.POOL_FULL, 'full', { code: 'POOL_FULL' });
      },
    }),
  );
  rpc.register(
    'echoMany',
    defineMethod({
      paramNames: ['value'],
      params: z.tuple([z.string()]),
      callMany: async (calls) => {
        manyCalls.push(calls.length);
        return calls.map((c) =>
          c.params[0] === 'bad'
            ? { error: new JsonRpcError(JsonRpcErrorCode.INVALID_PARAMS, 'bad value') }
            : { result: `${c.params[0]}@${String(c.ctx.id)}` },
        );
      },
    }),
  );
  return { rpc, manyCalls };
}

describe('JsonRpcServer (JSON-RPC 2.0 spec)', () => {
  it('answers a call, echoing string, number and null ids with their type', async () => {
    const { rpc } = makeServer();
    expect(await rpc.handleText('{"jsonrpc":"2.0","method":"add","params":[1,2],"id":7}', session)).toEqual({
      jsonrpc: '2.0',
      id: 7,
      result: 3,
    });
    expect(await rpc.handleText('{"jsonrpc":"2.0","method":"add","params":[1,2],"id":"7"}', session)).toEqual({
      jsonrpc: '2.0',
      id: '7',
      result: 3,
    });
    expect(await rpc.handleText('{"jsonrpc":"2.0","method":"add","params":[1,2],"id":null}', session)).toEqual({
      jsonrpc: '2.0',
      id: null,
      result: 3,
    });
  });

  it('accepts params by name and omitted params', async () => {
    const { rpc } = makeServer();
    expect(await rpc.handle({ jsonrpc: '2.0', id: 1, method: 'add', params: { b: 2, a: 40 } }, session)).toMatchObject({
      result: 42,
    });
    expect(await rpc.handle({ jsonrpc: '2.0', id: 1, method: 'nothing' }, session)).toEqual({
      jsonrpc: '2.0',
      id: 1,
      result: null,
    });
    const unknownName = (await rpc.handle(
      { jsonrpc: '2.0', id: 1, method: 'add', params: { a: 1, c: 2 } },
      session,
    )) as any;
    expect(unknownName.error.code).toBe(-32602);
    expect(unknownName.error.message).toContain('"c"');
  });

  it('gives no reply to a notification, even a failing one', async () => {
    const { rpc } = makeServer();
    expect(await rpc.handleText('{"jsonrpc":"2.0","method":"add","params":[1,2]}', session)).toBeUndefined();
    expect(await rpc.handleText('{"jsonrpc":"2.0","method":"nope"}', session)).toBeUndefined();
    expect(await rpc.handleText('{"jsonrpc":"2.0","method":"add","params":["x"]}', session)).toBeUndefined();
    expect(await rpc.handleText('{"jsonrpc":"2.0","method":"boom"}', session)).toBeUndefined();
  });

  it('answers invalid JSON with one -32700 with id null', async () => {
    const { rpc } = makeServer();
    const r = (await rpc.handleText('{"jsonrpc":"2.0","method":"add", "params":[1,2', session)) as any;
    expect(r.id).toBeNull();
    expect(r.error.code).toBe(-32700);
    const batch = (await rpc.handleText(
      '[{"jsonrpc":"2.0","method":"add","params":[1,2],"id":1},{"jsonrpc":"2.0"',
      session,
    )) as any;
    expect(Array.isArray(batch)).toBe(false);
    expect(batch.error.code).toBe(-32700);
  });

  it('answers [] with a single -32600 object and [1,2] with two', async () => {
    const { rpc } = makeServer();
    const empty = (await rpc.handleText('[]', session)) as any;
    expect(Array.isArray(empty)).toBe(false);
    expect(empty).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32600 } });
    const two = (await rpc.handleText('[1,2]', session)) as any[];
    expect(two).toHaveLength(2);
    for (const r of two) expect(r).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32600 } });
    const one = (await rpc.handleText('1', session)) as any;
    expect(one.error.code).toBe(-32600);
  });

  it('rejects a wrong jsonrpc version, a bad id, a non-string method and scalar params with -32600', async () => {
    const { rpc } = makeServer();
    const v1 = (await rpc.handle({ jsonrpc: '1.0', id: 5, method: 'add', params: [1, 2] }, session)) as any;
    expect(v1).toMatchObject({ id: 5, error: { code: -32600 } });
    expect(v1.error.message).toContain('2.0');
    const noVersion = (await rpc.handle({ id: 5, method: 'add', params: [1, 2] }, session)) as any;
    expect(noVersion.error.code).toBe(-32600);
    const badId = (await rpc.handle({ jsonrpc: '2.0', id: { x: 1 }, method: 'add', params: [1, 2] }, session)) as any;
    expect(badId).toMatchObject({ id: null, error: { code: -32600 } });
    const badMethod = (await rpc.handle({ jsonrpc: '2.0', id: 1, method: 1, params: 'bar' }, session)) as any;
    expect(badMethod.error.code).toBe(-32600);
    const scalarParams = (await rpc.handle({ jsonrpc: '2.0', id: 1, method: 'add', params: 'bar' }, session)) as any;
    expect(scalarParams.error.code).toBe(-32600);
  });

  it('answers an unknown method with -32601 naming it', async () => {
    const { rpc } = makeServer();
    const r = (await rpc.handle({ jsonrpc: '2.0', id: 'a', method: 'eth_mine', params: [] }, session)) as any;
    expect(r).toMatchObject({ id: 'a', error: { code: -32601 } });
    expect(r.error.message).toContain('eth_mine');
  });

  it('answers bad params with -32602 naming the param', async () => {
    const { rpc } = makeServer();
    const wrongType = (await rpc.handle({ jsonrpc: '2.0', id: 1, method: 'add', params: [1, 'two'] }, session)) as any;
    expect(wrongType.error.code).toBe(-32602);
    expect(wrongType.error.message).toContain('param b (params[1])');
    expect(wrongType.error.data).toEqual({ param: 'b' });
    const missing = (await rpc.handle({ jsonrpc: '2.0', id: 1, method: 'add', params: [1] }, session)) as any;
    expect(missing.error.message).toContain('missing required param b');
    const extra = (await rpc.handle({ jsonrpc: '2.0', id: 1, method: 'add', params: [1, 2, 3] }, session)) as any;
    expect(extra.error.message).toContain('too many params');
  });

  it('turns a thrown error into -32603 without a stack, and keeps JsonRpcError and ProtocolError codes', async () => {
    const { rpc } = makeServer();
    const boom = (await rpc.handle({ jsonrpc: '2.0', id: 1, method: 'boom' }, session)) as any;
    expect(boom.error.code).toBe(-32603);
    expect(boom.error.message).toContain('disk on fire');
    expect(JSON.stringify(boom)).not.toMatch(/\bat .*\.ts:\d+/);
    const custom = (await rpc.handle({ jsonrpc: '2.0', id: 1, method: 'custom' }, session)) as any;
    expect(custom.error).toEqual({ code: -32011, message: 'full', data: { code: 'POOL_FULL' } });
    const protocol = (await rpc.handle({ jsonrpc: '2.0', id: 1, method: 'protocol' }, session)) as any;
    expect(protocol.error.code).toBe(-32602);
    expect(protocol.error.data).toEqual({ code: 'TX_INVALID' });
  });

  it('answers a mixed batch once per non-notification entry, in order', async () => {
    const { rpc } = makeServer();
    const r = (await rpc.handle(
      [
        { jsonrpc: '2.0', method: 'add', params: [1, 2], id: '1' },
        { jsonrpc: '2.0', method: 'add', params: [7] },
        { jsonrpc: '2.0', method: 'add', params: [42, 23], id: '2' },
        { foo: 'boo' },
        { jsonrpc: '2.0', method: 'foo.get', params: { name: 'myself' }, id: '5' },
        { jsonrpc: '2.0', method: 'nothing', id: 9 },
      ],
      session,
    )) as any[];
    expect(r.map((x) => x.id)).toEqual(['1', '2', null, '5', 9]);
    expect(r[0].result).toBe(3);
    expect(r[1].result).toBe(65);
    expect(r[2].error.code).toBe(-32600);
    expect(r[3].error.code).toBe(-32601);
    expect(r[4].result).toBeNull();
  });

  it('sends nothing for a batch of notifications only', async () => {
    const { rpc } = makeServer();
    expect(
      await rpc.handleText(
        '[{"jsonrpc":"2.0","method":"add","params":[1,2]},{"jsonrpc":"2.0","method":"nothing"}]',
        session,
      ),
    ).toBeUndefined();
  });

  it('hands every call of a batch to a callMany method in one go, results in order', async () => {
    const { rpc, manyCalls } = makeServer();
    const r = (await rpc.handle(
      [
        { jsonrpc: '2.0', method: 'echoMany', params: ['a'], id: 1 },
        { jsonrpc: '2.0', method: 'add', params: [1, 1], id: 2 },
        { jsonrpc: '2.0', method: 'echoMany', params: ['bad'], id: 3 },
        { jsonrpc: '2.0', method: 'echoMany', params: ['n'] },
        { jsonrpc: '2.0', method: 'echoMany', params: [5], id: 4 },
        { jsonrpc: '2.0', method: 'echoMany', params: ['c'], id: 'x' },
      ],
      session,
    )) as any[];
    expect(manyCalls).toEqual([4]);
    expect(r.map((x) => x.id)).toEqual([1, 2, 3, 4, 'x']);
    expect(r[0].result).toBe('a@1');
    expect(r[2].error.message).toBe('bad value');
    expect(r[3].error.code).toBe(-32602);
    expect(r[4].result).toBe('c@x');
  });
});
