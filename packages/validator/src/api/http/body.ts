/** Reading a request body with a size limit, without buffering what is over the limit. */
import type { IncomingMessage } from 'node:http';

/** readBody outcomes besides the text. */
export const BODY_TOO_LARGE = Symbol('body too large');
export const BODY_ABORTED = Symbol('body aborted');
export type BodyResult = string | typeof BODY_TOO_LARGE | typeof BODY_ABORTED;

/**
 * Once a body is known to be too large, the rest is read and dropped (so the client finishes
 * sending and can read the 413) up to this many bytes; past that the connection is cut.
 */
const DRAIN_LIMIT_BYTES = 64 * 1024 * 1024;

/** Read a body as UTF-8 text; resolves BODY_TOO_LARGE as soon as it exceeds maxBytes. */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  return new Promise((resolve) => {
    const declared = req.headers['content-length'];
    let chunks: Buffer[] = [];
    let size = 0;
    let over = declared !== undefined && Number(declared) > maxBytes;
    let drained = 0;
    const tooLarge = (): void => {
      over = true;
      chunks = [];
      resolve(BODY_TOO_LARGE);
    };
    if (over) tooLarge();
    req.on('data', (chunk: Buffer) => {
      if (over) {
        drained += chunk.length;
        if (drained > DRAIN_LIMIT_BYTES) req.destroy();
        return;
      }
      size += chunk.length;
      if (size > maxBytes) tooLarge();
      else chunks.push(chunk);
    });
    req.on('end', () => {
      if (over) return;
      const [only] = chunks;
      resolve(chunks.length === 1 && only ? only.toString('utf8') : Buffer.concat(chunks, size).toString('utf8'));
    });
    req.on('error', () => resolve(BODY_ABORTED));
    req.on('close', () => {
      if (!req.complete && !over) resolve(BODY_ABORTED);
    });
  });
}
