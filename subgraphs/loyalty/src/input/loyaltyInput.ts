/**
 * Validation of the arguments of loyalty mutations and fields: client values are checked and bounded
 * here, before they reach a repository, and errors name the argument at fault (BAD_USER_INPUT).
 */
import { BadUserInputError } from '../../../kit/src';

/** Largest number of points one redemption or adjustment may move. */
export const MAX_POINTS_PER_OPERATION = 1_000_000;

/** Default and maximum page sizes of `transactions`. */
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,128}$/;
const MAX_REASON_LENGTH = 500;

/** A customer id: letters, digits, `_` and `-`, at most 64 characters. */
export function customerIdInput(value: unknown, field = 'customerId'): string {
  if (typeof value !== 'string' || !ID_PATTERN.test(value)) {
    throw new BadUserInputError(`${field} must be 1–64 letters, digits, "_" or "-"`, { field });
  }
  return value;
}

/** Points to redeem: a whole number from 1 to {@link MAX_POINTS_PER_OPERATION}. */
export function redeemPointsInput(value: unknown, field = 'points'): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_POINTS_PER_OPERATION) {
    throw new BadUserInputError(`${field} must be a whole number from 1 to ${MAX_POINTS_PER_OPERATION}, got ${String(value)}`, { field });
  }
  return value;
}

/** Points of an adjustment: a non-zero whole number within ±{@link MAX_POINTS_PER_OPERATION}. */
export function adjustPointsInput(value: unknown, field = 'points'): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value === 0 || Math.abs(value) > MAX_POINTS_PER_OPERATION) {
    throw new BadUserInputError(`${field} must be a non-zero whole number within ±${MAX_POINTS_PER_OPERATION}, got ${String(value)}`, { field });
  }
  return value;
}

/** An idempotency key: 1–128 printable ASCII characters without spaces. */
export function idempotencyKeyInput(value: unknown, field = 'idempotencyKey'): string {
  if (typeof value !== 'string' || !IDEMPOTENCY_KEY_PATTERN.test(value)) {
    throw new BadUserInputError(`${field} must be 1–128 printable ASCII characters without spaces`, { field });
  }
  return value;
}

/** A reason for an adjustment: required, trimmed, at most 500 characters. */
export function reasonInput(value: unknown, field = 'reason'): string {
  const reason = typeof value === 'string' ? value.trim() : '';
  if (reason.length === 0 || reason.length > MAX_REASON_LENGTH) {
    throw new BadUserInputError(`${field} is required (1–${MAX_REASON_LENGTH} characters)`, { field });
  }
  return reason;
}

/** `first` of a connection: default {@link DEFAULT_PAGE_SIZE}, 1 to {@link MAX_PAGE_SIZE}. */
export function pageSizeInput(value: unknown, field = 'first'): number {
  if (value === undefined || value === null) return DEFAULT_PAGE_SIZE;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_PAGE_SIZE) {
    throw new BadUserInputError(`${field} must be from 1 to ${MAX_PAGE_SIZE}, got ${String(value)}`, { field });
  }
  return value;
}
