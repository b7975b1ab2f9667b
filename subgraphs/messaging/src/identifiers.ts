/**
 * New ids of this subgraph. A message sent or logged with an idempotency key gets an id DERIVED from
 * (customer, key): the `_id` unique index is then the idempotency claim, so the same key can never make
 * two messages, even under concurrency, and re-pointing a merged customer's messages (which changes
 * `customerId`) cannot collide with the survivor's own keys the way a compound unique index would.
 */
import { createHash, randomUUID } from 'node:crypto';

/** `cnv_` + 32 hex. */
export function newConversationId(): string {
  return `cnv_${randomUUID().replace(/-/g, '')}`;
}

/** `msg_` + 32 hex, for messages logged without a key. */
export function newMessageId(): string {
  return `msg_${randomUUID().replace(/-/g, '')}`;
}

/** The id of the message sent or logged by `customerId` under `idempotencyKey`: `msg_k` + 32 hex of SHA-256. */
export function keyedMessageId(customerId: string, idempotencyKey: string): string {
  const digest = createHash('sha256').update(customerId).update('\u0000').update(idempotencyKey).digest('hex');
  return `msg_k${digest.slice(0, 32)}`;
}
