/**
 * Bounds on the scalar arguments of this subgraph: ids, names, skus, page sizes and cursors. Every
 * message names the argument at fault (BAD_USER_INPUT with `field`).
 */
import { randomUUID } from 'node:crypto';
import { BadUserInputError } from '../../../kit/src';

/** Customer ids: `cus_` and up to 64 letters, digits, `_` or `-` (seeded `cus_000001`, new `cus_<uuid hex>`). */
const CUSTOMER_ID = /^cus_[A-Za-z0-9_-]{1,64}$/;

/** A new customer id. */
export function newCustomerId(): string {
  return `cus_${randomUUID().replace(/-/g, '')}`;
}

/** True when `id` has the shape of a customer id. */
export function isCustomerId(id: unknown): id is string {
  return typeof id === 'string' && CUSTOMER_ID.test(id);
}

/** Returns `id` or throws BAD_USER_INPUT naming `field`. */
export function readCustomerId(id: string, field = 'id'): string {
  if (!isCustomerId(id)) throw new BadUserInputError(`${field} is not a customer id (cus_…)`, { field });
  return id;
}

/** Longest display name. */
export const MAX_DISPLAY_NAME_LENGTH = 120;

/** A display name, trimmed, 1–120 characters. */
export function readDisplayName(name: string, field = 'displayName'): string {
  const trimmed = name.trim().replace(/\s+/g, ' ');
  if (trimmed.length === 0 || trimmed.length > MAX_DISPLAY_NAME_LENGTH) {
    throw new BadUserInputError(`${field} must be 1–${MAX_DISPLAY_NAME_LENGTH} characters`, { field });
  }
  return trimmed;
}

/** A product sku as inventory writes them: 1–64 letters, digits, `.`, `_` or `-`. */
export function readSku(sku: string, field = 'sku'): string {
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(sku)) throw new BadUserInputError(`${field} is not a sku`, { field });
  return sku;
}

/** Page size: default 20, 1..100. */
export function readFirst(first: number | null | undefined, field = 'first'): number {
  if (first === null || first === undefined) return 20;
  if (!Number.isInteger(first) || first < 1 || first > 100) throw new BadUserInputError(`${field} must be between 1 and 100`, { field });
  return first;
}

/** An opaque cursor for a customer id. */
export function cursorOf(customerId: string): string {
  return Buffer.from(customerId, 'utf8').toString('base64url');
}

/** The customer id inside a cursor; BAD_USER_INPUT naming `after` when it is not one of ours. */
export function readCursor(after: string | null | undefined): string | null {
  if (after === null || after === undefined) return null;
  const id = after.length <= 120 ? Buffer.from(after, 'base64url').toString('utf8') : '';
  if (!isCustomerId(id)) throw new BadUserInputError('after is not a cursor of this connection', { field: 'after' });
  return id;
}
