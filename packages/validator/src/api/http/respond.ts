/** Writing JSON responses without express (the JSON-RPC hot path) and error bodies for the REST routes. */
import type { ServerResponse } from 'node:http';

/** Send a JSON body with an exact content length. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

/** An HTTP error for the REST routes: the status, a message naming the problem, and the bad param if any. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
    readonly param?: string,
  ) {
    super(message);
  }

  /** The JSON body of this error. */
  toBody(): { error: string; param?: string } {
    return this.param === undefined ? { error: this.message } : { error: this.message, param: this.param };
  }
}
