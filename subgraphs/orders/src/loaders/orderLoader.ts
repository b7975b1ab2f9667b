/** Orders by id, one `$in` query per tick: `order`, `Return.order` and Order `__resolveReference`. */
import type DataLoader from 'dataloader';
import { createKeyedLoader } from '../../../kit/src';
import type { OrderRecord, OrderRepository } from '../repositories/orderRepository';

/** Builds the per-request order loader. */
export function createOrderLoader(orders: OrderRepository): DataLoader<string, OrderRecord | null> {
  return createKeyedLoader<string, OrderRecord>((ids) => orders.findByIds(ids), (order) => order._id);
}
