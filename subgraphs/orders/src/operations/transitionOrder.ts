/**
 * The order lifecycle after placement, as one table and one function:
 *
 *   PLACED ─markReadyForPickup→ READY_FOR_PICKUP ─completePickup→ COMPLETED     (PICKUP_IN_STORE)
 *   PLACED ─markShipped→ SHIPPED ─markDelivered→ COMPLETED            (SHIP_TO_HOME, SHIP_FROM_STORE)
 *   PLACED | READY_FOR_PICKUP ─cancelOrder→ CANCELLED
 *
 * Each transition is a conditional update on the current status (`{_id, status: {$in: from}}`) that
 * also pushes its event, so it happens once and only with its event; an illegal one is a CONFLICT
 * naming the current status.
 *
 * Transitions that move stock (commit on shipping or pickup, release on cancel) ask inventory FIRST
 * and write only when inventory agrees: inventory's reservation is HELD, then either COMMITTED or
 * RELEASED, never both, so it arbitrates a cancel racing a pickup. If inventory cannot be reached,
 * nothing is written (SUBGRAPH_UNAVAILABLE) and the call can simply be retried (both calls are
 * idempotent at inventory). Staff (ASSOCIATE, AGENT, ADMIN, SERVICE) run the fulfilment transitions;
 * a customer may cancel their own order while it is PLACED.
 */
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  createDomainEvent,
  isStaff,
  requireAuthenticated,
  type DomainEvent,
  type EventCorrelation,
} from '../../../kit/src';
import type { OrdersContext } from '../context';
import type { FulfillmentMethod, OrderRecord, OrderStatus, ReservationStatus } from '../repositories/orderRepository';
import { requireId } from '../validation/requireId';

/** One edge of the lifecycle. */
interface TransitionRule {
  /** Verb for messages: "cannot <verb> an order that is SHIPPED". */
  verb: string;
  from: readonly OrderStatus[];
  to: OrderStatus;
  /** Fulfilment methods it applies to. */
  methods: readonly FulfillmentMethod[];
  /** What happens to the reservation at inventory first. */
  inventory: 'commit' | 'release' | null;
  /** Statuses from which the order's own customer may do it (staff: `from`). */
  customerFrom: readonly OrderStatus[];
  /** The event the transition publishes; `correlation` is the publishing request's. */
  event: (order: OrderRecord, correlation: EventCorrelation) => DomainEvent | null;
}

const SHIPPING: readonly FulfillmentMethod[] = ['SHIP_TO_HOME', 'SHIP_FROM_STORE'];
const ALL_METHODS: readonly FulfillmentMethod[] = ['SHIP_TO_HOME', 'PICKUP_IN_STORE', 'SHIP_FROM_STORE', 'IN_STORE_PURCHASE'];

/** The lifecycle table (see module comment). */
export const ORDER_TRANSITIONS = {
  markReadyForPickup: {
    verb: 'mark ready for pickup',
    from: ['PLACED'],
    to: 'READY_FOR_PICKUP',
    methods: ['PICKUP_IN_STORE'],
    inventory: null,
    customerFrom: [],
    event: (order, correlation) =>
      createDomainEvent('OrderReadyForPickup', 'orders', order._id, { orderId: order._id, number: order.number, customerId: order.customerId, locationId: order.fulfillment.locationId }, correlation),
  },
  completePickup: {
    verb: 'complete the pickup of',
    from: ['READY_FOR_PICKUP'],
    to: 'COMPLETED',
    methods: ['PICKUP_IN_STORE'],
    inventory: 'commit',
    customerFrom: [],
    event: (order, correlation) =>
      createDomainEvent('PickupCompleted', 'orders', order._id, { orderId: order._id, number: order.number, customerId: order.customerId, locationId: order.fulfillment.locationId }, correlation),
  },
  markShipped: { verb: 'ship', from: ['PLACED'], to: 'SHIPPED', methods: SHIPPING, inventory: 'commit', customerFrom: [], event: () => null },
  markDelivered: { verb: 'mark delivered', from: ['SHIPPED'], to: 'COMPLETED', methods: SHIPPING, inventory: null, customerFrom: [], event: () => null },
  cancelOrder: {
    verb: 'cancel',
    from: ['PLACED', 'READY_FOR_PICKUP'],
    to: 'CANCELLED',
    methods: ALL_METHODS,
    inventory: 'release',
    customerFrom: ['PLACED'],
    event: (order, correlation) =>
      createDomainEvent('OrderCancelled', 'orders', order._id, { orderId: order._id, number: order.number, customerId: order.customerId, channel: order.channel }, correlation),
  },
} satisfies Record<string, TransitionRule>;

/** A named transition of {@link ORDER_TRANSITIONS}. */
export type OrderTransition = keyof typeof ORDER_TRANSITIONS;

/** Applies `transition` to order `id` (see module comment). */
export async function transitionOrder(context: OrdersContext, id: string, transition: OrderTransition): Promise<OrderRecord> {
  const rule: TransitionRule = ORDER_TRANSITIONS[transition];
  const orderId = requireId(id, 'id');
  const principal = requireAuthenticated(context.principal);
  const order = await context.loaders.order.load(orderId);
  if (!order) throw new NotFoundError('Order', orderId);

  const staff = isStaff(principal);
  if (!staff) {
    const ownCustomer = principal.role === 'CUSTOMER' && principal.sub === order.customerId;
    if (!ownCustomer) throw new ForbiddenError(principal.role === 'ANALYST' ? 'Analysts see aggregates only' : 'You may only act on your own orders');
    if (rule.customerFrom.length === 0) throw new ForbiddenError(`Only store or call-centre staff may ${rule.verb} an order`);
  }
  // An impossible transition is a CONFLICT for anyone; a possible one the customer may not do, FORBIDDEN.
  if (!rule.from.includes(order.status)) throw illegal(order, rule);
  if (!staff && !rule.customerFrom.includes(order.status)) {
    throw new ForbiddenError(`Order ${order.number} is ${order.status}: you may ${rule.verb} it only while ${rule.customerFrom.join(' or ')}; the store or call centre can help`);
  }
  if (!rule.methods.includes(order.fulfillment.method)) {
    throw new ConflictError(`Order ${order.number} is a ${order.fulfillment.method} order: cannot ${rule.verb} it`, {
      status: order.status,
      method: order.fulfillment.method,
      orderId: order._id,
    });
  }

  const reservation = rule.inventory ? await settleReservation(context, order, rule) : null;
  const event = rule.event(order, context.correlation);
  const updated = await context.orders.transition(order._id, rule.from, {
    $set: { status: rule.to, updatedAt: new Date(), ...(reservation ? { reservation } : {}) },
    ...(event ? { $push: { pendingEvents: event } } : {}),
  });
  if (!updated) {
    // The status moved between our read and our write (a concurrent transition won).
    const current = await context.orders.findById(order._id);
    throw illegal(current ?? order, rule);
  }
  context.loaders.order.clear(updated._id).prime(updated._id, updated);
  return updated;
}

// Private: asks inventory to commit or release, and refuses when inventory already did the opposite.
async function settleReservation(context: OrdersContext, order: OrderRecord, rule: TransitionRule): Promise<ReservationStatus> {
  const wanted: ReservationStatus = rule.inventory === 'commit' ? 'COMMITTED' : 'RELEASED';
  const answer = rule.inventory === 'commit' ? await context.inventory.commitReservation(order._id) : await context.inventory.releaseReservation(order._id);
  if (!answer) {
    // Inventory knows no reservation for this order: nothing to move, and nothing left to settle.
    context.logger.warn('no reservation at inventory for this order', { orderId: order._id, transition: rule.verb });
    return 'NONE';
  }
  if (answer.status !== wanted) {
    throw new ConflictError(`Cannot ${rule.verb} order ${order.number}: its stock reservation is already ${answer.status}`, {
      status: order.status,
      reservation: answer.status,
      orderId: order._id,
    });
  }
  return wanted;
}

function illegal(order: OrderRecord, rule: TransitionRule): ConflictError {
  return new ConflictError(`Order ${order.number} is ${order.status}: cannot ${rule.verb} it (only from ${rule.from.join(' or ')})`, {
    status: order.status,
    orderId: order._id,
  });
}
