/**
 * `requestReturn`: some units of a completed order come back, through any channel, at any location.
 *
 *  1. validate, load the order, check the caller may act for its customer and that each line can
 *     still be returned (clear errors before anything is touched);
 *  2. CLAIM the quantities in one conditional update (each line's returned quantity must still leave
 *     room), adding the return as PENDING — two concurrent returns can never return a unit twice;
 *  3. restock the units at the return location (inventory, idempotent by return id);
 *  4. mark the return RECEIVED, set PARTIALLY_RETURNED / RETURNED and publish `OrderReturned`, in one
 *     write.
 * If inventory fails at 3, step 2 is undone and the error goes to the client (SUBGRAPH_UNAVAILABLE
 * leaves nothing written). The refund is computed from the prices stored on the order.
 */
import { randomUUID } from 'node:crypto';
import {
  BadUserInputError,
  ConflictError,
  NotFoundError,
  createDomainEvent,
  requireAuthenticated,
  requireCustomerAccess,
  type Channel,
} from '../../../kit/src';
import type { OrdersContext } from '../context';
import type { OrderRecord, ReturnDocument } from '../repositories/orderRepository';
import { normaliseLines } from '../validation/normaliseLines';
import { requireId } from '../validation/requireId';

/** The `ReturnInput` of the SDL. */
export interface ReturnInput {
  orderId: string;
  channel: Channel;
  locationId: string;
  lines: { sku: string; quantity: number }[];
}

/** A recorded return and its order after it. */
export interface ReturnOutcome {
  order: OrderRecord;
  record: ReturnDocument;
}

const RETURNABLE: ReadonlySet<string> = new Set(['COMPLETED', 'PARTIALLY_RETURNED']);

/** Records a return (see module comment). */
export async function requestReturn(context: OrdersContext, input: ReturnInput): Promise<ReturnOutcome> {
  const orderId = requireId(input.orderId, 'input.orderId');
  const locationId = requireId(input.locationId, 'input.locationId');
  const lines = normaliseLines(input.lines, 'input.lines');
  const principal = requireAuthenticated(context.principal);

  const order = await context.orders.findById(orderId);
  if (!order) throw new NotFoundError('Order', orderId);
  requireCustomerAccess(principal, order.customerId);
  if (!RETURNABLE.has(order.status)) throw notReturnable(order);

  const lineIndexes: number[] = [];
  const returned = lines.map((line) => {
    const inputIndex = input.lines.findIndex((raw) => raw.sku === line.sku);
    const index = order.lines.findIndex((ordered) => ordered.sku === line.sku);
    const ordered = order.lines[index];
    if (!ordered) throw new BadUserInputError(`${line.sku} is not a line of order ${order.number}`, { field: `input.lines[${inputIndex}].sku`, sku: line.sku });
    const returnable = ordered.quantity - ordered.returnedQuantity;
    if (line.quantity > returnable) {
      throw new BadUserInputError(`Only ${returnable} of ${line.sku} can still be returned from order ${order.number}, ${line.quantity} requested`, {
        field: `input.lines[${inputIndex}].quantity`,
        sku: line.sku,
        returnable,
      });
    }
    lineIndexes.push(index);
    return { sku: line.sku, quantity: line.quantity, unitPriceCents: ordered.unitPriceCents, refundCents: line.quantity * ordered.unitPriceCents };
  });

  const pending: ReturnDocument = {
    id: `ret_${randomUUID().replace(/-/g, '')}`,
    channel: input.channel,
    locationId,
    lines: returned,
    refundCents: returned.reduce((sum, line) => sum + line.refundCents, 0),
    status: 'PENDING',
    createdAt: new Date(),
    createdBy: principal.sub,
  };

  const claimed = await context.orders.claimReturn(order, pending, lineIndexes);
  if (!claimed) {
    // Another return or transition got there between our read and our write.
    const current = (await context.orders.findById(orderId)) ?? order;
    if (!RETURNABLE.has(current.status)) throw notReturnable(current);
    throw new ConflictError(`Units of order ${order.number} were returned meanwhile; check what is left and try again`, { status: current.status, orderId });
  }

  try {
    await context.inventory.restock(pending.id, locationId, returned);
  } catch (error) {
    await context.orders.abandonReturn(orderId, pending, lineIndexes);
    throw error;
  }

  const event = createDomainEvent(
    'OrderReturned',
    'orders',
    orderId,
    {
      orderId,
      number: order.number,
      customerId: order.customerId,
      returnId: pending.id,
      channel: input.channel,
      locationId,
      lines: returned.map(({ sku, quantity, unitPriceCents }) => ({ sku, quantity, unitPriceCents })),
      refundCents: pending.refundCents,
      orderTotalCents: order.totalCents,
    },
    context.correlation,
  );
  const updated = await context.orders.receiveReturn(orderId, pending.id, event, new Date());
  context.loaders.order.clear(orderId).prime(orderId, updated);
  const record = updated.returns.find((entry) => entry.id === pending.id) ?? { ...pending, status: 'RECEIVED' as const };
  return { order: updated, record };
}

function notReturnable(order: OrderRecord): ConflictError {
  return new ConflictError(`Order ${order.number} is ${order.status}: only COMPLETED or PARTIALLY_RETURNED orders take returns`, { status: order.status, orderId: order._id });
}
