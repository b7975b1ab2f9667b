/**
 * `addToWishlist` and `removeFromWishlist`: single atomic updates (`$push` guarded by "this sku is not
 * there yet", `$pull`), so concurrent saves from the app and the till never duplicate an item. Saving a
 * product twice keeps the first save (its date and channel); removing one that is not there is a no-op.
 */
import { BadUserInputError, ConflictError, type Channel } from '../../../kit/src';
import type { CustomersContext } from '../context';
import { requirePersonalDataCaller } from '../domain/customerAccess';
import { readSku } from '../domain/fieldValidation';
import type { CustomerDocument, WishlistRecord } from '../repositories/customerRepository';
import { loadCustomerForWrite } from './loadCustomerForWrite';

/** The most products one wishlist keeps. */
export const MAX_WISHLIST_ITEMS = 200;

/** Attempts before giving up with CONFLICT (each lost race means someone else changed the wishlist). */
const MAX_ATTEMPTS = 3;

/** `addToWishlist`. */
export async function addToWishlist(context: CustomersContext, customerId: string, sku: string, channel: Channel): Promise<CustomerDocument> {
  requirePersonalDataCaller(context.principal);
  readSku(sku);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    const { customer } = await loadCustomerForWrite(context, customerId, 'customerId');
    const wishlist = customer.wishlist ?? [];
    if (wishlist.some((item) => item.sku === sku)) return customer;
    if (wishlist.length >= MAX_WISHLIST_ITEMS) throw new BadUserInputError(`A wishlist keeps at most ${MAX_WISHLIST_ITEMS} products`, { field: 'sku' });
    const item: WishlistRecord = { sku, addedAt: new Date(), addedVia: channel };
    const updated = await context.customers.updateLive(customer._id, { $push: { wishlist: item }, $set: { updatedAt: item.addedAt } }, undefined, { 'wishlist.sku': { $ne: sku } });
    if (updated) return updated;
  }
  throw new ConflictError('The wishlist changed while this update ran; try again');
}

/** `removeFromWishlist`. */
export async function removeFromWishlist(context: CustomersContext, customerId: string, sku: string): Promise<CustomerDocument> {
  requirePersonalDataCaller(context.principal);
  readSku(sku);
  const { customer } = await loadCustomerForWrite(context, customerId, 'customerId');
  if (!(customer.wishlist ?? []).some((item) => item.sku === sku)) return customer;
  const updated = await context.customers.updateLive(customer._id, { $pull: { wishlist: { sku } }, $set: { updatedAt: new Date() } });
  // Null only if the customer was merged or erased in between: read again to answer with what is there.
  return updated ?? (await loadCustomerForWrite(context, customerId, 'customerId')).customer;
}
