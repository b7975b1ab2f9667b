/**
 * Lines of an order or a return as the client sent them → validated and merged: 1–50 lines, whole
 * quantities 1–999, well-formed skus, one line per sku (repeated skus are added up, as a till would).
 */
import { BadUserInputError } from '../../../kit/src';
import { requireId } from './requireId';

/** A validated line. */
export interface Line {
  sku: string;
  quantity: number;
}

/** Most lines in one order or return. */
export const MAX_LINES = 50;

/** Most units of one sku in one line. */
export const MAX_QUANTITY = 999;

/** Checks a quantity is a whole number in `[min, 999]`; BAD_USER_INPUT naming `field` otherwise. */
export function requireQuantity(value: unknown, field: string, min = 1): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > MAX_QUANTITY) {
    throw new BadUserInputError(`${field} must be a whole number from ${min} to ${MAX_QUANTITY}, got ${JSON.stringify(value)}`, { field });
  }
  return value;
}

/** Validates and merges `lines` (see module comment); `field` names the list in errors, e.g. `input.lines`. */
export function normaliseLines(lines: readonly { sku: unknown; quantity: unknown }[], field: string): Line[] {
  if (lines.length < 1 || lines.length > MAX_LINES) {
    throw new BadUserInputError(`${field} must have 1 to ${MAX_LINES} lines, got ${lines.length}`, { field });
  }
  const merged = new Map<string, number>();
  lines.forEach((line, index) => {
    const sku = requireId(line.sku, `${field}[${index}].sku`);
    const quantity = requireQuantity(line.quantity, `${field}[${index}].quantity`);
    const total = (merged.get(sku) ?? 0) + quantity;
    if (total > MAX_QUANTITY) {
      throw new BadUserInputError(`${field}: ${sku} adds up to ${total} units; at most ${MAX_QUANTITY} per sku`, { field: `${field}[${index}].quantity`, sku });
    }
    merged.set(sku, total);
  });
  return [...merged].map(([sku, quantity]) => ({ sku, quantity }));
}
