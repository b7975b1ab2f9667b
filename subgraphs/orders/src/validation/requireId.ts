/**
 * Ids from clients (customer, order, location ids, skus) are short opaque strings. Checking their shape
 * before they reach a query keeps client objects and operators out of MongoDB filters, and lets skus
 * serve as field names of a cart's line map (no `.`, no leading `$`).
 */
import { BadUserInputError } from '../../../kit/src';

/** Letters, digits, `_` and `-`, starting with a letter or digit, at most 64 characters. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** Returns `value` when it is a well-formed id; BAD_USER_INPUT naming `field` otherwise. */
export function requireId(value: unknown, field: string): string {
  if (typeof value !== 'string' || !ID_PATTERN.test(value)) {
    throw new BadUserInputError(`${field} must be an id of letters, digits, "_" or "-" (at most 64), got ${JSON.stringify(value)?.slice(0, 80)}`, { field });
  }
  return value;
}
