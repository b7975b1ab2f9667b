/**
 * Checks of client input, done before anything reaches the database: ids have the estate's shape (so
 * a client value is never more than a plain string in a filter), texts and pages are bounded, and each
 * failure names the field.
 */
import { BadUserInputError, isChannel, type Channel } from '../../kit/src';

const ID_PREFIXES = { customer: 'cus_', order: 'ord_', conversation: 'cnv_' } as const;

/** The kinds of id this subgraph accepts from clients. */
export type IdKind = keyof typeof ID_PREFIXES;

const ID_PATTERNS: Record<IdKind, RegExp> = {
  customer: /^cus_[A-Za-z0-9_-]{1,64}$/,
  order: /^ord_[A-Za-z0-9_-]{1,64}$/,
  conversation: /^cnv_[A-Za-z0-9_-]{1,64}$/,
};

/** Throws BAD_USER_INPUT naming `field` unless `value` is an id of `kind` (`cus_…`, `ord_…`, `cnv_…`). */
export function requireId(value: unknown, kind: IdKind, field: string): string {
  if (typeof value !== 'string' || !ID_PATTERNS[kind].test(value)) {
    throw new BadUserInputError(`${field} must be a ${kind} id like "${ID_PREFIXES[kind]}…", got ${JSON.stringify(value)}`, { field });
  }
  return value;
}

/** Like {@link requireId} but null/undefined passes as null. */
export function optionalId(value: unknown, kind: IdKind, field: string): string | null {
  return value === null || value === undefined ? null : requireId(value, kind, field);
}

/** Throws BAD_USER_INPUT unless `value` has `min`–`max` characters and is not only blanks. */
export function requireText(value: unknown, field: string, min: number, max: number): string {
  if (typeof value !== 'string' || value.trim().length < Math.max(min, 1) || value.length > max) {
    throw new BadUserInputError(`${field} must have ${min}–${max} characters`, { field });
  }
  return value;
}

/** A page size: `default` when absent, else an integer in 1..`max`. */
export function pageSize(value: unknown, field: string, fallback: number, max: number): number {
  if (value === null || value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new BadUserInputError(`${field} must be an integer from 1 to ${max}, got ${JSON.stringify(value)}`, { field });
  }
  return value;
}

/** A Channel from input (GraphQL already checks enums; this guards calls from events and scripts). */
export function requireChannel(value: unknown, field: string): Channel {
  if (!isChannel(value)) throw new BadUserInputError(`${field} must be a Channel, got ${JSON.stringify(value)}`, { field });
  return value;
}

/** Bounds of message bodies and idempotency keys, shared by the SDL descriptions and the resolvers. */
export const LIMITS = { bodyMax: 4000, keyMin: 8, keyMax: 100 } as const;
