/**
 * The `LineInput` lists of reservations, restocks and fulfilment options, validated once and merged by
 * sku, so every later step can rely on one line per sku with a sane quantity.
 */
import { BadUserInputError } from '../../../kit/src';
import { requireIdentifier } from './identifiers';

/** A validated line: one per sku. */
export interface StockLine {
  sku: string;
  quantity: number;
}

/** Most lines accepted in one request. */
export const MAX_LINES = 50;
/** Largest quantity of one line. */
export const MAX_LINE_QUANTITY = 999;

/**
 * Validates `lines` (1–50 lines, quantities 1–999, well-formed skus) and merges lines of the same sku,
 * keeping the order of first appearance. The merged quantity must stay within 999 too.
 */
export function normalizeLines(lines: readonly { sku: string; quantity: number }[], field = 'lines'): StockLine[] {
  if (lines.length === 0) throw new BadUserInputError(`${field} must hold at least one line`, { field });
  if (lines.length > MAX_LINES) throw new BadUserInputError(`${field} may hold at most ${MAX_LINES} lines, got ${lines.length}`, { field });
  const merged = new Map<string, number>();
  lines.forEach((line, index) => {
    const sku = requireIdentifier(line.sku, `${field}[${index}].sku`);
    if (!Number.isInteger(line.quantity) || line.quantity < 1 || line.quantity > MAX_LINE_QUANTITY) {
      throw new BadUserInputError(`${field}[${index}].quantity must be 1–${MAX_LINE_QUANTITY}, got ${line.quantity}`, { field: `${field}[${index}].quantity` });
    }
    merged.set(sku, (merged.get(sku) ?? 0) + line.quantity);
  });
  const result: StockLine[] = [];
  for (const [sku, quantity] of merged) {
    if (quantity > MAX_LINE_QUANTITY) throw new BadUserInputError(`${field}: ${sku} adds up to ${quantity} units, more than ${MAX_LINE_QUANTITY}`, { field });
    result.push({ sku, quantity });
  }
  return result;
}

/** True when two normalised line lists ask for the same thing (order of lines ignored). */
export function sameLines(a: readonly StockLine[], b: readonly StockLine[]): boolean {
  if (a.length !== b.length) return false;
  const quantities = new Map(a.map((line) => [line.sku, line.quantity]));
  return b.every((line) => quantities.get(line.sku) === line.quantity);
}
