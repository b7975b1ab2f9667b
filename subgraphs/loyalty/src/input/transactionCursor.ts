/**
 * Cursors of `LoyaltyAccount.transactions`: opaque to clients, they encode the position (time and id)
 * of the last entry of a page, so the next page starts strictly after it even if entries are added.
 */
import { BadUserInputError } from '../../../kit/src';

/** A position in a ledger ordered newest first. */
export interface TransactionCursor {
  at: Date;
  id: string;
}

/** Encodes the position of an entry. */
export function encodeTransactionCursor(entry: { at: Date; _id: string }): string {
  return Buffer.from(JSON.stringify([entry.at.getTime(), entry._id])).toString('base64url');
}

/** Decodes `after`; BAD_USER_INPUT naming the argument when it is not one of ours. */
export function decodeTransactionCursor(value: unknown, field = 'after'): TransactionCursor | undefined {
  if (value === undefined || value === null) return undefined;
  const invalid = () => new BadUserInputError(`${field} is not a cursor returned by this field`, { field });
  if (typeof value !== 'string' || value.length > 200) throw invalid();
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(decoded) || decoded.length !== 2) throw invalid();
  const [time, id] = decoded as unknown[];
  if (typeof time !== 'number' || !Number.isSafeInteger(time) || typeof id !== 'string' || !/^ptx_[0-9a-f]{1,64}$/.test(id)) throw invalid();
  return { at: new Date(time), id };
}
