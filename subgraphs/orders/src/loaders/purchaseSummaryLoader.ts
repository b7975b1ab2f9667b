/** `Customer.purchaseSummary` of every customer of a request in one aggregation; zeros for non-buyers. */
import DataLoader from 'dataloader';
import type { OrderRepository, PurchaseFigures } from '../repositories/orderRepository';

/** Builds the per-request loader. */
export function createPurchaseSummaryLoader(orders: OrderRepository): DataLoader<string, PurchaseFigures> {
  return new DataLoader<string, PurchaseFigures>(async (customerIds) => {
    const figures = await orders.purchaseFigures(customerIds);
    const byCustomer = new Map(figures.map((entry) => [entry.customerId, entry]));
    return customerIds.map(
      (customerId) => byCustomer.get(customerId) ?? { customerId, orderCount: 0, grossCents: 0, refundedCents: 0, channels: [], lastOrderAt: null },
    );
  });
}
