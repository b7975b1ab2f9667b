/**
 * Pages of `Customer.orders` for every customer of a request in one round trip. The key is the customer
 * and the arguments, because a query may ask different pages of the same customer (aliases); the batch
 * goes to `OrderRepository.pagesByCustomer`, one `$facet` aggregation. Every order it brings back is
 * primed into the order loader, so a later `Return.order` or reference costs nothing.
 */
import DataLoader from 'dataloader';
import type { CustomerOrdersPage, CustomerOrdersRequest, OrderRecord, OrderRepository } from '../repositories/orderRepository';

/** Builds the per-request loader; `orderLoader` is primed with what it loads. */
export function createCustomerOrdersLoader(orders: OrderRepository, orderLoader: DataLoader<string, OrderRecord | null>): DataLoader<CustomerOrdersRequest, CustomerOrdersPage, string> {
  return new DataLoader<CustomerOrdersRequest, CustomerOrdersPage, string>(
    async (requests) => {
      const pages = await orders.pagesByCustomer(requests);
      for (const page of pages) for (const order of page.orders) orderLoader.prime(order._id, order);
      return pages;
    },
    {
      cacheKeyFn: (request) => JSON.stringify([request.customerId, request.first, request.after?.placedAt.getTime() ?? null, request.after?.id ?? null, request.channel]),
      // One $facet with a page and a count per key: keep a single aggregation reasonably small.
      maxBatchSize: 100,
    },
  );
}
