/**
 * Manual stock adjustments (a count at the shelf, breakage, a delivery booked by hand): an ASSOCIATE at
 * their own store, an ADMIN anywhere. The change is one atomic `$inc` that refuses to take onHand below
 * what is reserved for placed orders; every attempt leaves an audit entry (see
 * StockAdjustmentRepository).
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  BadUserInputError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  requireRole,
  type Channel,
  type Principal,
} from '../../../kit/src';
import { requireIdentifier } from '../input/identifiers';
import type { LocationRepository } from '../repositories/locationRepository';
import type { ProductRepository } from '../repositories/productRepository';
import type { StockAdjustmentRepository } from '../repositories/stockAdjustmentRepository';
import type { StockDocument, StockRepository } from '../repositories/stockRepository';

/** The arguments of `adjustStock`, as received. */
export interface AdjustStockInput {
  locationId: string;
  sku: string;
  delta: number;
  reason: string;
  channel?: Channel | null;
  idempotencyKey?: string | null;
}

/** What {@link adjustStock} works with. */
export interface AdjustStockDependencies {
  stock: StockRepository;
  adjustments: StockAdjustmentRepository;
  products: ProductRepository;
  locations: LocationRepository;
}

/** Largest change of one adjustment; a bigger one is almost certainly a typo. */
export const MAX_ADJUSTMENT = 100_000;

/**
 * Throws unless the caller may change stock at `locationId`: ADMIN anywhere, ASSOCIATE only where their
 * `storeId` claim says they work. Checked before anything is read, so a refused caller learns nothing.
 */
export function requireStockAuthority(principal: Principal | null, locationId: string): Principal {
  const who = requireRole(principal, 'ASSOCIATE', 'ADMIN');
  if (who.role === 'ASSOCIATE' && who.storeId !== locationId) {
    throw new ForbiddenError(`An associate may adjust stock only at their own store${who.storeId ? ` (${who.storeId})` : ''}, not at ${locationId}`);
  }
  return who;
}

/** Applies an adjustment and returns the resulting stock (see module comment). */
export async function adjustStock(deps: AdjustStockDependencies, principal: Principal | null, input: AdjustStockInput): Promise<StockDocument> {
  const locationId = requireIdentifier(input.locationId, 'locationId');
  const who = requireStockAuthority(principal, locationId);
  const sku = requireIdentifier(input.sku, 'sku');
  if (!Number.isInteger(input.delta) || input.delta === 0 || Math.abs(input.delta) > MAX_ADJUSTMENT) {
    throw new BadUserInputError(`delta must be a non-zero whole number within ±${MAX_ADJUSTMENT}, got ${input.delta}`, { field: 'delta' });
  }
  const reason = input.reason.trim();
  if (reason.length < 3 || reason.length > 500) throw new BadUserInputError('reason must be 3–500 characters', { field: 'reason' });
  const key = input.idempotencyKey ?? undefined;
  if (key !== undefined && (key.length < 1 || key.length > 100)) throw new BadUserInputError('idempotencyKey must be 1–100 characters', { field: 'idempotencyKey' });

  const [location, products] = await Promise.all([deps.locations.findById(locationId), deps.products.findBySkus([sku])]);
  if (location === null) throw new NotFoundError('Location', locationId);
  if (products.length === 0) throw new NotFoundError('Product', sku);

  const now = new Date();
  // With a key, the entry id is derived from who sent it and the key, so a retry finds the first entry.
  const id = key === undefined ? `adj_${randomUUID().replace(/-/g, '')}` : `adj_${createHash('sha256').update(`${who.sub}\u0000${key}`).digest('hex').slice(0, 32)}`;
  const previous = await deps.adjustments.begin({
    _id: id,
    sku,
    locationId,
    delta: input.delta,
    reason,
    channel: input.channel ?? 'STORE',
    by: who.sub,
    role: who.role,
    ...(who.storeId ? { storeId: who.storeId } : {}),
    at: now,
    status: 'PENDING',
  });
  if (previous !== null) return answerRetry(deps, previous, { sku, locationId, delta: input.delta });

  const adjusted = await deps.stock.adjust(sku, locationId, input.delta, now);
  if (adjusted === null) {
    const current = await deps.stock.findLevel(sku, locationId);
    const refusal = `onHand ${current?.onHand ?? 0} with ${current?.reserved ?? 0} reserved cannot drop by ${-input.delta}`;
    await deps.adjustments.settle(id, { status: 'REFUSED', refusal });
    throw new ConflictError(`Cannot adjust ${sku} at ${locationId}: ${refusal}`, { sku, locationId, onHand: current?.onHand ?? 0, reserved: current?.reserved ?? 0 });
  }
  await deps.adjustments.settle(id, { status: 'APPLIED', resultingOnHand: adjusted.onHand });
  return adjusted;
}

// Private: a retry with the same idempotency key answers like the first attempt did.
async function answerRetry(
  deps: AdjustStockDependencies,
  previous: { sku: string; locationId: string; delta: number; status: string; refusal?: string },
  request: { sku: string; locationId: string; delta: number },
): Promise<StockDocument> {
  if (previous.sku !== request.sku || previous.locationId !== request.locationId || previous.delta !== request.delta) {
    throw new ConflictError('This idempotencyKey was used for another adjustment', { field: 'idempotencyKey' });
  }
  if (previous.status === 'REFUSED') throw new ConflictError(`Cannot adjust ${request.sku} at ${request.locationId}: ${previous.refusal ?? 'refused'}`);
  if (previous.status === 'PENDING') throw new ConflictError('This adjustment is still being applied; retry shortly');
  const current = await deps.stock.findLevel(request.sku, request.locationId);
  if (current === null) throw new NotFoundError('StockLevel', `${request.sku}@${request.locationId}`);
  return current;
}
