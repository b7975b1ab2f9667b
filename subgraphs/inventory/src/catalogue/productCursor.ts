/**
 * Opaque cursors of the product list. The list is ordered by sku, so a cursor only needs the last sku
 * of a page; it is wrapped in base64url so clients treat it as opaque and we may change it later.
 */
import { BadUserInputError } from '../../../kit/src';
import { isIdentifier } from '../input/identifiers';

const PREFIX = 'product:';

/** The cursor that points just after `sku`. */
export function encodeProductCursor(sku: string): string {
  return Buffer.from(`${PREFIX}${sku}`, 'utf8').toString('base64url');
}

/** The sku a cursor points after; BAD_USER_INPUT on anything that is not one of our cursors. */
export function decodeProductCursor(cursor: string, field = 'after'): string {
  const text = cursor.length <= 200 ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const sku = text.startsWith(PREFIX) ? text.slice(PREFIX.length) : '';
  if (!isIdentifier(sku)) throw new BadUserInputError(`${field} is not a cursor of this list`, { field });
  return sku;
}
