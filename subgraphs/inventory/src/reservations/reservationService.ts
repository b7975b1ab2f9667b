/**
 * Reservations: stock promised to an order at one location, all lines or none.
 *
 * Reserve, in order:
 *  1. claim — insert the reservation document `{ _id: orderId, status: PENDING }`. The unique `_id`
 *     elects exactly one request per order id to do the work; a concurrent or later duplicate finds
 *     the document, waits while it is PENDING and then answers with it (it never reserves twice);
 *  2. hold each line, in sku order, with one conditional `$inc` on its stock document (filter: available ≥ qty),
 *     which also records `holds.<orderId>` (see StockRepository);
 *  3. if line k cannot be held, give back lines 0..k−1 with compensating `$inc`s, drop the claim and
 *     answer OUT_OF_STOCK with the sku and what is available; otherwise mark the document HELD.
 * No multi-document transaction is needed: each step is one atomic single-document write, and the
 * per-order markers make every step safe to repeat, so a crash at any point is cleaned up by the sweep
 * (an abandoned PENDING claim gets its holds given back) without ever giving back more than was taken.
 *
 * Release (cancellation or expiry) and commit (fulfilled or picked up) first move the document out of
 * HELD (into RELEASING / COMMITTING) so that they exclude each other, then apply each line, then settle.
 * Both are idempotent: repeating them answers with the settled reservation.
 */
import { randomUUID } from 'node:crypto';
import { BadUserInputError, ConflictError, NotFoundError, OutOfStockError, type Logger } from '../../../kit/src';
import type { InventoryConfig } from '../inventoryConfig';
import type { StockLine } from '../input/lineInput';
import { sameLines } from '../input/lineInput';
import type { LocationRepository } from '../repositories/locationRepository';
import type { ProductRepository } from '../repositories/productRepository';
import type { ReleaseReason, ReservationDocument, ReservationRepository, ReservationStatus } from '../repositories/reservationRepository';
import { availableOf, stockIdOf, type StockRepository } from '../repositories/stockRepository';

/** What {@link ReservationService} works with. */
export interface ReservationServiceDependencies {
  reservations: ReservationRepository;
  stock: StockRepository;
  products: ProductRepository;
  locations: LocationRepository;
  config: InventoryConfig;
  logger: Logger;
}

/** Counts of one sweep, for the log and the tests. */
export interface SweepResult {
  /** HELD reservations older than the TTL, released. */
  expired: number;
  /** PENDING claims abandoned half-way, undone and removed. */
  abandoned: number;
  /** Releases and commits interrupted half-way, finished. */
  resumed: number;
}

/** How long a duplicate waits for the request that holds the claim before answering CONFLICT. */
const SETTLE_WAIT_MS = 5_000;
const SETTLE_POLL_MS = 20;
/** Most documents of each kind one sweep handles; the next sweep takes the rest. */
const SWEEP_BATCH = 100;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Reserve, release, commit and expire reservations (see module comment). */
export class ReservationService {
  constructor(private readonly deps: ReservationServiceDependencies) {}

  /**
   * Reserves every line at `locationId` for `orderId`, or nothing. Idempotent by order id: a repeat
   * with the same lines answers with the existing reservation; with other lines or another location,
   * CONFLICT.
   */
  async reserve(orderId: string, locationId: string, lines: readonly StockLine[]): Promise<ReservationDocument> {
    // A claim dropped by a failed attempt lets the next attempt claim again; bounded so a storm of
    // duplicates of a failing order cannot loop forever.
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const now = new Date();
      const claim: ReservationDocument = { _id: orderId, locationId, lines: [...lines], status: 'PENDING', claimToken: randomUUID(), claimedAt: now, updatedAt: now };
      if (await this.deps.reservations.claim(claim)) return this.holdLines(claim);
      const existing = await this.settled(orderId);
      if (existing === null) continue;
      if (existing.locationId !== locationId || !sameLines(existing.lines, lines)) {
        throw new ConflictError(`Order ${orderId} already has a reservation with other lines or at another location`, { orderId, locationId: existing.locationId });
      }
      return existing;
    }
    throw new ConflictError(`The reservation of order ${orderId} keeps changing; retry`, { orderId });
  }

  /**
   * Gives the order's held units back. Null when the order has no reservation; the reservation as it is
   * when already released; CONFLICT when it was committed.
   */
  async release(orderId: string, reason: ReleaseReason = 'CANCELLED'): Promise<ReservationDocument | null> {
    const now = new Date();
    const current = await this.settled(orderId);
    if (current === null) return null;
    if (current.status === 'RELEASED') return current;
    const releasing = await this.deps.reservations.transition(orderId, ['HELD', 'RELEASING'], 'RELEASING', now, current.status === 'HELD' ? { releaseReason: reason } : {});
    if (releasing === null) return this.answerAfterLostRace(orderId, 'RELEASED');
    await Promise.all(releasing.lines.map((line) => this.deps.stock.unhold(line.sku, releasing.locationId, orderId, line.quantity, now)));
    return (await this.deps.reservations.transition(orderId, ['RELEASING'], 'RELEASED', now, { releasedAt: now })) ?? this.deps.reservations.findByOrderId(orderId);
  }

  /**
   * The held units leave the location: reserved and onHand both drop. Idempotent; null when the order
   * has no reservation (like `release`); CONFLICT when the reservation was released.
   */
  async commit(orderId: string): Promise<ReservationDocument | null> {
    const now = new Date();
    const current = await this.settled(orderId);
    if (current === null) return null;
    if (current.status === 'COMMITTED') return current;
    const committing = await this.deps.reservations.transition(orderId, ['HELD', 'COMMITTING'], 'COMMITTING', now);
    if (committing === null) return this.answerAfterLostRace(orderId, 'COMMITTED');
    await Promise.all(committing.lines.map((line) => this.deps.stock.consumeHold(line.sku, committing.locationId, orderId, line.quantity, now)));
    return (await this.deps.reservations.transition(orderId, ['COMMITTING'], 'COMMITTED', now, { committedAt: now })) ?? this.deps.reservations.findByOrderId(orderId);
  }

  /**
   * One pass of the periodic sweep: releases HELD reservations older than the TTL, undoes PENDING
   * claims abandoned half-way, and finishes releases/commits interrupted half-way. `now` is a parameter
   * so the expiry can be exercised without waiting.
   */
  async sweep(now: Date = new Date()): Promise<SweepResult> {
    const { reservations, config } = this.deps;
    const ttlCutoff = new Date(now.getTime() - config.reservationTtlMinutes * 60_000);
    const claimCutoff = new Date(now.getTime() - config.claimTimeoutSeconds * 1_000);
    const result: SweepResult = { expired: 0, abandoned: 0, resumed: 0 };

    for (const reservation of await reservations.findOlderThan('HELD', 'heldAt', ttlCutoff, SWEEP_BATCH)) {
      const released = await this.release(reservation._id, 'EXPIRED').catch((error: unknown) => this.logSweepError(reservation._id, error));
      if (released?.status === 'RELEASED') result.expired += 1;
    }
    for (const claim of await reservations.findOlderThan('PENDING', 'claimedAt', claimCutoff, SWEEP_BATCH)) {
      if (await this.undoAbandonedClaim(claim).catch((error: unknown) => this.logSweepError(claim._id, error))) result.abandoned += 1;
    }
    for (const status of ['RELEASING', 'COMMITTING'] as const) {
      for (const stuck of await reservations.findOlderThan(status, 'updatedAt', claimCutoff, SWEEP_BATCH)) {
        // An abandoned claim being undone has never been HELD; the claim branch above finishes those.
        const finish = stuck.heldAt === undefined ? this.undoAbandonedClaim(stuck) : status === 'RELEASING' ? this.release(stuck._id) : this.commit(stuck._id);
        if (await Promise.resolve(finish).catch((error: unknown) => this.logSweepError(stuck._id, error))) result.resumed += 1;
      }
    }
    return result;
  }

  // Private: steps 2 and 3 of reserve, run only by the request that inserted the claim.
  private async holdLines(claim: ReservationDocument): Promise<ReservationDocument> {
    const { stock, reservations } = this.deps;
    const { _id: orderId, locationId, claimToken } = claim;
    const held: StockLine[] = [];
    try {
      await this.checkCatalogue(locationId, claim.lines);
      // Lines are held in one canonical order (by sku) whatever order the order lists them in. Two orders
      // listing the same skus in opposite orders would otherwise each hold a first line the other needs
      // and both give up; in sku order, whoever holds the last contended line has every earlier one, so
      // concurrent orders never all fail while stock for one of them exists.
      const inHoldingOrder = [...claim.lines].sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0));
      for (const line of inHoldingOrder) {
        if (await stock.hold(line.sku, locationId, orderId, line.quantity, new Date())) {
          held.push(line);
          continue;
        }
        const document = await stock.findById(stockIdOf(line.sku, locationId));
        const available = document ? availableOf(document) : 0;
        throw new OutOfStockError(line.sku, line.quantity, available, locationId);
      }
      const done = await reservations.markHeld(orderId, claimToken, new Date());
      if (done === null) throw new ConflictError(`The reservation of order ${orderId} took too long and was abandoned; retry`, { orderId });
      return done;
    } catch (error) {
      // Compensation: give back what this request held (each unhold is a no-op if already given back),
      // then drop the claim so a retry of the order can reserve afresh. If this fails too (database
      // gone), the sweep finds the PENDING claim and does the same later.
      const now = new Date();
      await Promise.all(held.map((line) => stock.unhold(line.sku, locationId, orderId, line.quantity, now)));
      await reservations.dropClaim(orderId, claimToken);
      throw error;
    }
  }

  // Private: unknown locations and skus are NOT_FOUND rather than "out of stock"; discontinued products
  // cannot be ordered.
  private async checkCatalogue(locationId: string, lines: readonly StockLine[]): Promise<void> {
    const skus = lines.map((line) => line.sku);
    const [location, products] = await Promise.all([this.deps.locations.findById(locationId), this.deps.products.findBySkus(skus)]);
    if (location === null) throw new NotFoundError('Location', locationId);
    for (const sku of skus) {
      const product = products.find((candidate) => candidate._id === sku);
      if (!product) throw new NotFoundError('Product', sku);
      if (!product.active) throw new BadUserInputError(`Product ${sku} is discontinued and cannot be reserved`, { field: 'lines', sku });
    }
  }

  // Private: a duplicate must not answer while the first request is still holding lines, or it would
  // report a reservation that may yet fail. Null when the claim disappeared (the first request failed).
  private async settled(orderId: string): Promise<ReservationDocument | null> {
    const deadline = Date.now() + SETTLE_WAIT_MS;
    for (;;) {
      const reservation = await this.deps.reservations.findByOrderId(orderId);
      if (reservation === null || reservation.status !== 'PENDING') return reservation;
      if (Date.now() >= deadline) throw new ConflictError(`The reservation of order ${orderId} is still being made; retry shortly`, { orderId });
      await sleep(SETTLE_POLL_MS);
    }
  }

  // Private: another request moved the reservation out of HELD between our read and our write.
  private async answerAfterLostRace(orderId: string, wanted: ReservationStatus): Promise<ReservationDocument | null> {
    const now = await this.deps.reservations.findByOrderId(orderId);
    if (now === null || now.status === wanted) return now;
    const verb = wanted === 'RELEASED' ? 'released' : 'committed';
    throw new ConflictError(`The reservation of order ${orderId} cannot be ${verb}: it is ${now.status}`, { orderId, status: now.status });
  }

  // Private: the sweep's clean-up of a claim whose request died half-way.
  private async undoAbandonedClaim(claim: ReservationDocument): Promise<boolean> {
    const now = new Date();
    const taken = claim.status === 'PENDING' ? await this.deps.reservations.takeOverClaim(claim._id, claim.claimToken, now) : claim;
    if (taken === null) return false;
    await Promise.all(taken.lines.map((line) => this.deps.stock.unhold(line.sku, taken.locationId, taken._id, line.quantity, now)));
    await this.deps.reservations.deleteAbandoned(taken._id);
    this.deps.logger.warn('undid an abandoned reservation claim', { orderId: taken._id });
    return true;
  }

  private logSweepError(orderId: string, error: unknown): null {
    this.deps.logger.error('reservation sweep failed for an order; the next sweep retries', { orderId, error });
    return null;
  }
}
