/**
 * Cursors of `Customer.orders`: opaque to clients, `base64url("<placedAt ms>:<order id>")` underneath,
 * because the list is sorted by `placedAt` then `_id` (both descending) and a cursor must name a
 * position in that order even when two orders share an instant.
 */
import { BadUserInputError } from '../../kit/src';
import { ID_PATTERN } from './validation/requireId';

/** A position in a customer's order list. */
export interface OrderCursor {
  placedAt: Date;
  id: string;
}

/** The cursor of an order. */
export function encodeOrderCursor(order: { placedAt: Date; _id: string }): string {
  return Buffer.from(`${order.placedAt.getTime()}:${order._id}`, 'utf8').toString('base64url');
}

/** Parses an `after` argument; BAD_USER_INPUT when it is not a cursor this subgraph made. */
export function decodeOrderCursor(cursor: string, field = 'after'): OrderCursor {
  const malformed = () => new BadUserInputError(`${field} is not a cursor of this list`, { field });
  if (cursor.length > 200 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw malformed();
  const [millis, id] = Buffer.from(cursor, 'base64url').toString('utf8').split(':', 2);
  const time = Number(millis);
  if (!id || !ID_PATTERN.test(id) || !Number.isSafeInteger(time) || time < 0) throw malformed();
  return { placedAt: new Date(time), id };
}
