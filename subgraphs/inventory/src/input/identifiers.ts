/**
 * Shapes of the ids inventory accepts from clients. They are checked before they reach a query
 * because they become parts of document ids (`<sku>@<locationId>`) and of field paths (`holds.<orderId>`,
 * `restocks.<returnId>`): a `.`, `$` or `@` in them would address another field or another document.
 */
import { BadUserInputError } from '../../../kit/src';

/** Letters, digits, `_` and `-`, starting with a letter or digit; up to 64 characters. */
const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** True when `value` has the shape of an inventory identifier (sku, location, order or return id). */
export function isIdentifier(value: unknown): value is string {
  return typeof value === 'string' && IDENTIFIER.test(value);
}

/**
 * Returns `value` when it is a well-formed identifier, otherwise throws BAD_USER_INPUT naming `field`.
 * Used for skus, location ids, order ids and return ids alike.
 */
export function requireIdentifier(value: unknown, field: string): string {
  if (!isIdentifier(value)) {
    throw new BadUserInputError(`${field} must be 1–64 letters, digits, "_" or "-", got ${JSON.stringify(value)?.slice(0, 80)}`, { field });
  }
  return value;
}
