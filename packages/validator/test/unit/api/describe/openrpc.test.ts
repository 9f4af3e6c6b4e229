import { describe, it, expect } from '@jest/globals';
import { ApiServer } from '../../../../src/api/server.js';
import { openRpcDocument } from '../../../../src/api/describe/openrpc.js';
import { FakeBackend } from '../fakeBackend.js';

describe('OpenRPC document', () => {
  const server = new ApiServer(new FakeBackend(), { host: '127.0.0.1', port: 0, maxBodyBytes: 1024 });
  const doc = openRpcDocument(server.rpc.methods(), { title: 't', version: 'v' }) as {
    methods: {
      name: string;
      params: { name: string; required: boolean; schema: Record<string, unknown> }[];
      result: { schema: Record<string, unknown> };
      summary?: string;
    }[];
  };

  it('describes every method the server registers, with a summary and a result schema', () => {
    expect(doc.methods.map((m) => m.name).sort()).toEqual(server.rpc.methodNames().sort());
    // Methods added without a result schema are listed here until they get one.
    const undescribed = doc.methods
      .filter((m) => Object.keys(m.result.schema).length === 0 || m.summary === undefined)
      .map((m) => m.name);
    expect(undescribed).toEqual(['poa_getProof']);
  });

  it('takes params from the schemas the server validates with: names, optionality, what checked params accept', () => {
    const byNumber = doc.methods.find((m) => m.name === 'eth_getBlockByNumber')!;
    expect(byNumber.params.map((p) => [p.name, p.required])).toEqual([
      ['block', true],
      ['fullTransactions', false],
    ]);
    expect(JSON.stringify(byNumber.params[0]!.schema)).toContain('earliest');
    expect(byNumber.params[1]!.schema).toMatchObject({ type: 'boolean' });
    const send = doc.methods.find((m) => m.name === 'eth_sendTransaction')!;
    expect(send.params[0]!.schema).toMatchObject({ type: 'object', required: ['from', 'to'] });
    expect(doc.methods.find((m) => m.name === 'eth_accounts')!.params).toEqual([]);
  });
});
