/** Test helpers: a started ApiServer on 127.0.0.1:0 and raw JSON-RPC over fetch. */
import { ApiServer } from '../../../src/api/server.js';
import { FakeBackend } from './fakeBackend.js';

export const QUANTITY_RE = /^0x(0|[1-9a-f][0-9a-f]*)$/;
export const HASH_RE = /^0x[0-9a-f]{64}$/;

export interface Harness {
  backend: FakeBackend;
  server: ApiServer;
  base: string;
  /** POST a raw body to /rpc; returns status, parsed JSON body (undefined when empty) and raw text. */
  post(
    body: string,
    opts?: { path?: string; headers?: Record<string, string> },
  ): Promise<{ status: number; json: any; text: string }>;
  /** One JSON-RPC call; returns the response object. */
  call(method: string, params?: unknown, id?: string | number | null): Promise<any>;
  stop(): Promise<void>;
}

/** Start an ApiServer over a fresh FakeBackend. */
export async function startHarness(opts: { maxBodyBytes?: number } = {}): Promise<Harness> {
  const backend = new FakeBackend();
  const server = new ApiServer(backend, { host: '127.0.0.1', port: 0, maxBodyBytes: opts.maxBodyBytes ?? 64 * 1024 });
  await server.start();
  const base = `http://127.0.0.1:${server.port}`;
  const post: Harness['post'] = async (body, o = {}) => {
    const res = await fetch(`${base}${o.path ?? '/rpc'}`, {
      method: 'POST',
      body,
      headers: o.headers ?? { 'content-type': 'application/json' },
    });
    const text = await res.text();
    return { status: res.status, text, json: text.length > 0 ? JSON.parse(text) : undefined };
  };
  let nextId = 1;
  const call: Harness['call'] = async (method, params = [], id = nextId++) =>
    (await post(JSON.stringify({ jsonrpc: '2.0', id, method, params }))).json;
  return { backend, server, base, post, call, stop: () => server.stop() };
}

/** A vote transaction for tests. */
export function vote(voter: string, election = '1', candidate = 'alice'): { from: string; to: string; data: string } {
  return { from: voter, to: `election-${election}`, data: JSON.stringify({ candidate_id: candidate }) };
}
