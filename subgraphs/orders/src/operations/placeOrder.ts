/**
 * `placeOrder`: one order from any channel, exactly once per idempotency key.
 *
 * The steps, and why in this order:
 *  1. validate the input and the caller's access to the customer (nothing touched yet);
 *  2. claim the key (`orderKeys`, unique `_id`): of ten concurrent retries exactly one goes on, the
 *     others wait for its order and return it — one order, one reservation;
 *  3. price the lines from the catalogue at this moment and check the location suits the method
 *     (one `_entities` call to inventory);
 *  4. reserve all lines at the location (inventory; OUT_OF_STOCK names the line);
 *  5. insert the order, PLACED (COMPLETED for a till purchase), with `OrderPlaced` in `pendingEvents`
 *     in the same insert;
 *  6. the ordered skus leave the customer's cart (the one cart every channel shares), and for a till
 *     purchase the reservation is committed (the goods left with the customer).
 * Any failure in 3–5 undoes what was done — the reservation is released, the claim deleted — so a
 * failed placement writes nothing and the key may be used again. "Released" includes the ambiguous
 * case: when inventory did not answer the reservation in time it may have reserved all the same, so
 * orders releases it (idempotent at inventory; a no-op when nothing was reserved). If inventory cannot
 * take that release either, the debt is recorded (`owedReleases`) and the reservation settler pays it.
 */
import { createHash, randomUUID } from 'node:crypto';
import { MongoServerError } from 'mongodb';
import {
  BadUserInputError,
  ConflictError,
  DomainError,
  ErrorCode,
  createDomainEvent,
  UnreachableCaseError,
  requireCustomerAccess,
  type Channel,
  type EventCorrelation,
} from '../../../kit/src';
import type { OrdersContext } from '../context';
import { InventoryRequestError, type CatalogueLocation } from '../inventoryClient';
import type { FulfillmentMethod, OrderDocument, OrderLineDocument, OrderRecord } from '../repositories/orderRepository';
import { normaliseLines, type Line } from '../validation/normaliseLines';
import { requireId } from '../validation/requireId';

/** The `PlaceOrderInput` of the SDL. */
export interface PlaceOrderInput {
  customerId: string;
  channel: Channel;
  lines: { sku: string; quantity: number }[];
  fulfillment: { method: FulfillmentMethod; locationId?: string | null };
  idempotencyKey: string;
}

/** A validated, normalised placement request. */
interface Placement {
  customerId: string;
  channel: Channel;
  lines: Line[];
  /** Index in the client's `lines` of each normalised line, to name it in errors. */
  inputIndex: number[];
  method: FulfillmentMethod;
  locationId: string;
  idempotencyKey: string;
}

/** Methods served from a store's stock: the client must say which store. */
const STORE_METHODS: ReadonlySet<FulfillmentMethod> = new Set(['PICKUP_IN_STORE', 'SHIP_FROM_STORE', 'IN_STORE_PURCHASE']);

/** How often a call that lost the claim looks for the winner's order. */
const CLAIM_POLL_MS = 25;
/** A claim this old without an order belongs to a placement that died; it may be taken over. */
const STALE_CLAIM_MS = 60_000;

/** Places an order (see module comment). */
export async function placeOrder(context: OrdersContext, input: PlaceOrderInput): Promise<OrderRecord> {
  const placement = validate(input, context.config.defaultWarehouseId);
  requireCustomerAccess(context.principal, placement.customerId);
  const claimId = `${placement.customerId}:${placement.idempotencyKey}`;
  const fingerprint = fingerprintOf(placement);
  // Long enough for the winner to talk to inventory twice (catalogue, reservation) and write.
  const deadline = Date.now() + context.inventory.timeoutMs * 3 + 2_000;

  for (;;) {
    const orderId = `ord_${randomUUID().replace(/-/g, '')}`;
    const outcome = await context.orderKeys.claim(claimId, orderId, fingerprint);
    if (outcome.claimed) return placeClaimed(context, placement, claimId, orderId);

    const existing = outcome.existing;
    if (existing) {
      if (existing.fingerprint !== fingerprint) {
        throw new ConflictError('This idempotencyKey was already used for a different order of this customer', { field: 'input.idempotencyKey' });
      }
      const order = await context.orders.findById(existing.orderId);
      if (order) return order;
      if (existing.claimedAt.getTime() < Date.now() - STALE_CLAIM_MS) {
        const staleBefore = new Date(Date.now() - STALE_CLAIM_MS);
        if (await context.orderKeys.takeOver(claimId, existing.orderId, orderId, staleBefore)) {
          await releaseOrOwe(context, existing.orderId, 'stale claim taken over');
          return placeClaimed(context, placement, claimId, orderId);
        }
        continue;
      }
    }
    if (Date.now() > deadline) {
      throw new ConflictError('An order with this idempotencyKey is still being placed; retry shortly', { field: 'input.idempotencyKey' });
    }
    await new Promise((resolve) => setTimeout(resolve, CLAIM_POLL_MS));
  }
}

/** How many order numbers a placement tries before giving up (a taken number is a rare race). */
const ORDER_NUMBER_ATTEMPTS = 5;

// Private: inserts the order; when its number is already taken (the unique index on `number` said so:
// a number handed out twice by the counter under a race, or a number written by other means) it
// takes the next number, rebuilding the order and its event, and tries again. Nothing was written by
// a refused insert, so a new attempt cannot double anything.
async function insertWithUniqueNumber(context: OrdersContext, first: OrderDocument, rebuild: () => Promise<OrderDocument>): Promise<OrderDocument> {
  let order = first;
  for (let attempt = 1; ; attempt += 1) {
    try {
      await context.orders.insert(order);
      return order;
    } catch (error) {
      if (attempt >= ORDER_NUMBER_ATTEMPTS || !isDuplicateOrderNumber(error)) throw error;
      context.logger.warn('order number already taken; taking the next one', { orderId: order._id, number: order.number });
      order = await rebuild();
    }
  }
}

async function buildOrderWithNextNumber(context: OrdersContext, orderId: string, placement: Placement, lines: OrderLineDocument[]): Promise<OrderDocument> {
  return buildOrder(orderId, await context.orderNumbers.next(), placement, lines, context.correlation);
}

// Private: E11000 on the `number` index (the driver names the index or the key pattern).
function isDuplicateOrderNumber(error: unknown): boolean {
  if (!(error instanceof MongoServerError) || error.code !== 11000) return false;
  const keyPattern = (error as { keyPattern?: Record<string, unknown> }).keyPattern;
  return keyPattern ? 'number' in keyPattern : /dup key: \{ number:|index: number/.test(error.message);
}

// Private: steps 3–6 for the call that holds the claim.
async function placeClaimed(context: OrdersContext, placement: Placement, claimId: string, orderId: string): Promise<OrderRecord> {
  let reserveAsked = false;
  let reserved = false;
  let writeUnknown = false;
  let order: OrderDocument;
  try {
    const lines = await priceLines(context, placement);
    reserveAsked = true;
    await reserve(context, orderId, placement);
    reserved = true;
    order = buildOrder(orderId, await context.orderNumbers.next(), placement, lines, context.correlation);
    try {
      order = await insertWithUniqueNumber(context, order, () => buildOrderWithNextNumber(context, orderId, placement, lines));
    } catch (error) {
      // A placement that took over a stale claim may have written meanwhile: that order is the answer.
      const winner = error instanceof MongoServerError && error.code === 11000 ? await context.orders.findByIdempotencyKey(claimId) : null;
      if (winner) {
        await releaseOrOwe(context, orderId, 'lost to a concurrent placement');
        return winner;
      }
      const outcome = await insertOutcome(context, orderId, error);
      writeUnknown = outcome === 'unknown';
      // 'written': the insert reached the database though its answer did not; the order stands.
      if (outcome !== 'written') throw error;
    }
  } catch (error) {
    if (reserved && writeUnknown) {
      // Releasing could free the stock of an order that exists; keeping it held costs at most the
      // reservation's expiry if the order does not.
      context.logger.error('order write outcome unknown; its reservation stays held', { orderId, error });
    } else if (reserved) await releaseOrOwe(context, orderId, 'order could not be written');
    else if (reserveAsked && mayHaveReserved(error)) await releaseOrOwe(context, orderId, 'no clear answer to the reservation');
    await context.orderKeys.release(claimId, orderId).catch((releaseError: unknown) => context.logger.error('could not release an idempotency claim', { claimId, error: releaseError }));
    throw error;
  }

  // The order stands whatever happens to the cart; a line left behind is the shopper's to remove.
  await context.carts
    .removeOrdered(placement.customerId, placement.lines.map((line) => line.sku), placement.channel)
    .catch((error: unknown) => context.logger.warn('order placed but its lines could not be removed from the cart', { orderId, error }));

  if (order.status === 'COMPLETED') {
    // A till purchase: the goods are gone. If inventory fails right now the order keeps
    // `reservation: HELD`, which tells an operator (or a later sweep) what is left to commit.
    try {
      await context.inventory.commitReservation(orderId);
      await context.orders.setReservation(orderId, 'COMMITTED');
      order.reservation = 'COMMITTED';
    } catch (error) {
      context.logger.warn('till purchase recorded but its reservation is not committed yet', { orderId, error });
    }
  }
  const { pendingEvents: _events, ...record } = order;
  context.loaders.order.prime(orderId, record);
  return record;
}

// Private: the catalogue at this moment prices the lines; the location must suit the method.
async function priceLines(context: OrdersContext, placement: Placement): Promise<OrderLineDocument[]> {
  const { products, locations } = await context.inventory.catalogue(
    placement.lines.map((line) => line.sku),
    [placement.locationId],
  );
  checkLocation(placement, locations[0] ?? null);
  return placement.lines.map((line, index) => {
    const product = products[index] ?? null;
    const field = `input.lines[${placement.inputIndex[index]}].sku`;
    if (!product) throw new BadUserInputError(`${line.sku} is not in the catalogue`, { field, sku: line.sku });
    if (!product.active) throw new BadUserInputError(`${line.sku} (${product.name}) is discontinued and cannot be ordered`, { field, sku: line.sku });
    return { sku: line.sku, productName: product.name, quantity: line.quantity, unitPriceCents: product.priceCents, returnedQuantity: 0 };
  });
}

function checkLocation(placement: Placement, location: CatalogueLocation | null): void {
  const field = 'input.fulfillment.locationId';
  if (!location) throw new BadUserInputError(`${placement.locationId} is not a known store or warehouse`, { field });
  const refuse = (why: string) => new BadUserInputError(`${placement.method} is not possible at ${location.id}: ${why}`, { field, method: placement.method });
  switch (placement.method) {
    case 'PICKUP_IN_STORE':
      if (location.kind !== 'STORE' || !location.pickupEnabled) throw refuse('it offers no pickup');
      return;
    case 'SHIP_FROM_STORE':
      if (location.kind !== 'STORE' || !location.shipFromStoreEnabled) throw refuse('it does not ship from store');
      return;
    case 'IN_STORE_PURCHASE':
      if (location.kind !== 'STORE') throw refuse('it is not a store');
      return;
    case 'SHIP_TO_HOME':
      return;
    default:
      throw new UnreachableCaseError(placement.method);
  }
}

// Private: inventory's OUT_OF_STOCK keeps its code and details, plus which input line it is.
async function reserve(context: OrdersContext, orderId: string, placement: Placement): Promise<void> {
  try {
    await context.inventory.reserveStock(orderId, placement.locationId, placement.lines);
  } catch (error) {
    if (error instanceof InventoryRequestError && error.code === ErrorCode.OUT_OF_STOCK) {
      const index = placement.lines.findIndex((line) => line.sku === error.details.sku);
      const at = index >= 0 ? { line: placement.inputIndex[index], field: `input.lines[${placement.inputIndex[index]}].quantity` } : {};
      throw new DomainError(ErrorCode.OUT_OF_STOCK, error.message, { ...error.details, ...at });
    }
    throw error;
  }
}

/** Driver errors raised before the command reached a server: the insert certainly did not happen. */
const NEVER_SENT: ReadonlySet<string> = new Set(['MongoTopologyClosedError', 'MongoNotConnectedError', 'MongoServerSelectionError']);

// Private: after a failed insert, whether the order is there anyway. A server's refusal or a command
// never sent is a certain "absent"; a connection lost mid-way is answered by looking the order up, and
// stays 'unknown' when even that fails.
async function insertOutcome(context: OrdersContext, orderId: string, error: unknown): Promise<'written' | 'absent' | 'unknown'> {
  if (error instanceof MongoServerError || (error instanceof Error && NEVER_SENT.has(error.name))) return 'absent';
  try {
    return (await context.orders.findById(orderId)) ? 'written' : 'absent';
  } catch {
    return 'unknown';
  }
}

// Private: inventory's own refusals (OUT_OF_STOCK, NOT_FOUND, …) come after it undid its work; a
// timeout, an unreachable inventory or an unexpected failure says nothing about what it did.
function mayHaveReserved(error: unknown): boolean {
  return !(error instanceof DomainError) || error.extensions.code === ErrorCode.SUBGRAPH_UNAVAILABLE;
}

// Private: gives back the reservation of an order that will not exist; when inventory cannot take it
// now, records the debt for the reservation settler. Never throws: the caller is already failing.
async function releaseOrOwe(context: OrdersContext, orderId: string, why: string): Promise<void> {
  try {
    await context.inventory.releaseReservation(orderId);
    return;
  } catch (error) {
    context.logger.warn('could not release a reservation now; recording it for the settler', { orderId, why, error });
  }
  try {
    await context.owedReleases.record(orderId, why);
  } catch (error) {
    // Database and inventory both gone: inventory's reservation expiry is the last line.
    context.logger.error('could not record an owed reservation release', { orderId, why, error });
  }
}

function buildOrder(orderId: string, number: string, placement: Placement, lines: OrderLineDocument[], correlation: EventCorrelation): OrderDocument {
  const now = new Date();
  const totalCents = lines.reduce((sum, line) => sum + line.quantity * line.unitPriceCents, 0);
  const event = createDomainEvent(
    'OrderPlaced',
    'orders',
    orderId,
    {
      orderId,
      number,
      customerId: placement.customerId,
      channel: placement.channel,
      totalCents,
      lines: lines.map(({ sku, quantity, unitPriceCents }) => ({ sku, quantity, unitPriceCents })),
      fulfillment: { method: placement.method, locationId: placement.locationId },
      placedAt: now.toISOString(),
    },
    correlation,
  );
  return {
    _id: orderId,
    number,
    customerId: placement.customerId,
    channel: placement.channel,
    status: placement.method === 'IN_STORE_PURCHASE' ? 'COMPLETED' : 'PLACED',
    lines,
    totalCents,
    soldUnits: lines.reduce((sum, line) => sum + line.quantity, 0),
    returnedUnits: 0,
    refundedCents: 0,
    fulfillment: { method: placement.method, locationId: placement.locationId },
    reservation: 'HELD',
    idempotencyKey: `${placement.customerId}:${placement.idempotencyKey}`,
    returns: [],
    placedAt: now,
    updatedAt: now,
    pendingEvents: [event],
  };
}

function validate(input: PlaceOrderInput, defaultWarehouseId: string): Placement {
  const customerId = requireId(input.customerId, 'input.customerId');
  const key = input.idempotencyKey;
  if (typeof key !== 'string' || !/^[\x21-\x7e]{8,100}$/.test(key)) {
    throw new BadUserInputError('input.idempotencyKey must be 8 to 100 printable characters without spaces', { field: 'input.idempotencyKey' });
  }
  const lines = normaliseLines(input.lines, 'input.lines');
  const inputIndex = lines.map((line) => input.lines.findIndex((raw) => raw.sku === line.sku));
  const { method } = input.fulfillment;
  const rawLocation = input.fulfillment.locationId ?? null;
  if (STORE_METHODS.has(method) && rawLocation === null) {
    throw new BadUserInputError(`input.fulfillment.locationId is required for ${method}: which store?`, { field: 'input.fulfillment.locationId' });
  }
  if (method === 'IN_STORE_PURCHASE' && input.channel !== 'STORE') {
    throw new BadUserInputError(`IN_STORE_PURCHASE is a purchase at the till: the channel must be STORE, got ${input.channel}`, { field: 'input.channel' });
  }
  const locationId = rawLocation === null ? defaultWarehouseId : requireId(rawLocation, 'input.fulfillment.locationId');
  return { customerId, channel: input.channel, lines, inputIndex, method, locationId, idempotencyKey: key };
}

/** The same key must mean the same order: everything that defines it, lines in sku order. */
function fingerprintOf(placement: Placement): string {
  const lines = [...placement.lines].sort((a, b) => a.sku.localeCompare(b.sku));
  return createHash('sha256')
    .update(JSON.stringify([placement.customerId, placement.channel, lines, placement.method, placement.locationId]))
    .digest('base64url');
}
