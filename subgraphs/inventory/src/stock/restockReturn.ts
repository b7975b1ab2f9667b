/**
 * Returned units go back on hand at the location where the customer returned them (which may be
 * another store than the one that sold them). Idempotent by return id at two levels: the `restocks`
 * document (`_id` = return id) answers repeats once the restock is done, and the `restocks.<returnId>`
 * marker on each stock document (written in the same `$inc`) makes each line apply once even when two
 * duplicates run at the same time or a crashed restock is resumed.
 */
import { ConflictError, NotFoundError } from '../../../kit/src';
import type { StockLine } from '../input/lineInput';
import { sameLines } from '../input/lineInput';
import type { LocationRepository } from '../repositories/locationRepository';
import type { ProductRepository } from '../repositories/productRepository';
import type { RestockRepository } from '../repositories/restockRepository';
import type { StockRepository } from '../repositories/stockRepository';

/** What {@link restockReturn} works with. */
export interface RestockDependencies {
  restocks: RestockRepository;
  stock: StockRepository;
  products: ProductRepository;
  locations: LocationRepository;
}

/**
 * Puts the lines of return `returnId` back on hand at `locationId`, creating stock documents where the
 * location never carried the sku. A repeat with the same lines is a no-op; with other lines, CONFLICT.
 */
export async function restockReturn(deps: RestockDependencies, returnId: string, locationId: string, lines: readonly StockLine[]): Promise<void> {
  const skus = lines.map((line) => line.sku);
  const [location, products] = await Promise.all([deps.locations.findById(locationId), deps.products.findBySkus(skus)]);
  if (location === null) throw new NotFoundError('Location', locationId);
  // Discontinued products may still come back from customers; unknown skus may not.
  const missing = skus.find((sku) => !products.some((product) => product._id === sku));
  if (missing !== undefined) throw new NotFoundError('Product', missing);

  const now = new Date();
  const outcome = await deps.restocks.claim({ _id: returnId, locationId, lines: [...lines], status: 'PENDING', createdAt: now });
  if (!outcome.claimed) {
    const existing = outcome.existing;
    if (existing && (existing.locationId !== locationId || !sameLines(existing.lines, lines))) {
      throw new ConflictError(`Return ${returnId} was already restocked with other lines or at another location`, { returnId });
    }
    if (existing?.status === 'DONE') return;
  }
  // Also run by a duplicate that found the record PENDING: the markers keep each line to one `$inc`.
  await applyRestock(deps, returnId, locationId, lines, now);
}

/** Applies the lines and marks the restock done; safe to run again (the sweep resumes crashed restocks). */
export async function applyRestock(deps: Pick<RestockDependencies, 'restocks' | 'stock'>, returnId: string, locationId: string, lines: readonly StockLine[], now: Date = new Date()): Promise<void> {
  await Promise.all(lines.map((line) => deps.stock.restockOnce(line.sku, locationId, returnId, line.quantity, now)));
  await deps.restocks.markDone(returnId, now);
}

/** Most interrupted restocks one sweep resumes. */
const RESUME_BATCH = 100;

/** Finishes restocks left PENDING since before `cutoff` (a crash half-way); returns how many. */
export async function resumePendingRestocks(deps: Pick<RestockDependencies, 'restocks' | 'stock'>, cutoff: Date): Promise<number> {
  const pending = await deps.restocks.findPendingOlderThan(cutoff, RESUME_BATCH);
  for (const restock of pending) await applyRestock(deps, restock._id, restock.locationId, restock.lines);
  return pending.length;
}
