/**
 * Wire encoding of consensus messages: the JSON of the message, UTF-8. The gossip message id is
 * the sha256 of those bytes, so the same message published by two nodes collapses into one.
 */
import { createHash } from 'node:crypto';
import { bytesToUtf8, utf8ToBytes } from '@poa-vote/shared';
import type { ConsensusMessage } from '../../consensus/interface.js';

/** UTF-8 JSON bytes of a message. */
export function encodeMessage(msg: ConsensusMessage): Uint8Array {
  return utf8ToBytes(JSON.stringify(msg));
}

/** Parse wire bytes into an untrusted value; throws on invalid UTF-8 or JSON. */
export function decodeMessage(data: Uint8Array): unknown {
  return JSON.parse(bytesToUtf8(data)) as unknown;
}

/** Gossip message id: sha256 of the data. */
export function messageId(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
}

/** Hex form of a message id (gossipsub's cache key). */
export function messageIdToString(id: Uint8Array): string {
  return Buffer.from(id.buffer, id.byteOffset, id.byteLength).toString('hex');
}
