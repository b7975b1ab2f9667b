/**
 * Finishes what inventory could not be told at the moment it should have been. The one case: a till
 * purchase (IN_STORE_PURCHASE) is written COMPLETED and THEN its reservation is committed; if inventory
 * is unreachable right then, the order keeps `reservation: HELD`. Left alone, inventory's own expiry
 * would eventually RELEASE that reservation — stock that left with the customer would look available.
 * So every interval the settler commits the HELD reservations of orders whose stock has left
 * (SHIPPED, COMPLETED, returned) and releases those of CANCELLED orders. Both calls are idempotent at
 * inventory, so racing the request that is about to do the same is harmless.
 *
 * The other case: a placement that failed after asking inventory to reserve, and could not release
 * then either, left an owed release (`owedReleases`); each pass releases those too.
 *
 * Transitions never need it: they ask inventory before writing (transitionOrder.ts).
 */
import type { Logger } from '../../kit/src';
import { InventoryClient, InventoryRequestError } from './inventoryClient';
import type { OrderRepository, ReservationStatus } from './repositories/orderRepository';
import type { OwedReleaseRepository } from './repositories/owedReleaseRepository';

/** Orders settled per pass; the next pass takes the rest. */
const SETTLE_BATCH = 100;

/** What one pass did. */
export interface SettleCounts {
  committed: number;
  released: number;
  /** Owed releases of orders that were never written, paid. */
  owedReleased: number;
  failed: number;
}

/** A running settler. */
export interface ReservationSettler {
  /** Starts settling every interval (no-op when the interval is 0 or it already runs). */
  start(): void;
  /** Stops the timer and waits for a pass in progress. */
  stop(): Promise<void>;
  /** One pass, now (tests, operators). */
  runOnce(): Promise<SettleCounts>;
}

/** What the settler works with. */
export interface ReservationSettlerDependencies {
  orders: OrderRepository;
  owedReleases: OwedReleaseRepository;
  inventory: InventoryClient;
  logger: Logger;
}

/** Creates the settler (see module comment); `intervalSeconds` 0 never runs on its own. */
export function createReservationSettler(deps: ReservationSettlerDependencies, intervalSeconds: number): ReservationSettler {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<SettleCounts> | undefined;

  const pass = async (): Promise<SettleCounts> => {
    const counts: SettleCounts = { committed: 0, released: 0, owedReleased: 0, failed: 0 };
    for (const order of await deps.orders.findUnsettled(SETTLE_BATCH)) {
      const wanted: ReservationStatus = order.status === 'CANCELLED' ? 'RELEASED' : 'COMMITTED';
      try {
        const answer = wanted === 'COMMITTED' ? await deps.inventory.commitReservation(order._id) : await deps.inventory.releaseReservation(order._id);
        await deps.orders.setReservation(order._id, answer ? wanted : 'NONE');
        if (wanted === 'COMMITTED') counts.committed += 1;
        else counts.released += 1;
      } catch (error) {
        counts.failed += 1;
        const settledOtherwise = error instanceof InventoryRequestError ? error.details.status : undefined;
        if (settledOtherwise === 'COMMITTED' || settledOtherwise === 'RELEASED') {
          // Inventory already settled it the other way (e.g. expired): record the truth, and say so loudly
          // because the stock needs a person's look.
          await deps.orders.setReservation(order._id, settledOtherwise);
          deps.logger.error('reservation settled the other way at inventory; check the stock of this order', { orderId: order._id, wanted, actual: settledOtherwise });
        } else {
          deps.logger.warn('could not settle a reservation; the next pass retries', { orderId: order._id, wanted, error });
        }
      }
    }
    for (const owed of await deps.owedReleases.oldest(SETTLE_BATCH)) {
      try {
        await deps.inventory.releaseReservation(owed._id);
        await deps.owedReleases.settle(owed._id);
        counts.owedReleased += 1;
      } catch (error) {
        counts.failed += 1;
        if (error instanceof InventoryRequestError && error.details.status === 'COMMITTED') {
          // Nothing commits the reservation of an order that does not exist; if it happened, a person must look.
          await deps.owedReleases.settle(owed._id);
          deps.logger.error('an owed release found the reservation committed; check the stock of this order id', { orderId: owed._id });
        } else {
          await deps.owedReleases.countAttempt(owed._id);
          deps.logger.warn('could not pay an owed reservation release; the next pass retries', { orderId: owed._id, error });
        }
      }
    }
    return counts;
  };

  const runOnce = (): Promise<SettleCounts> => {
    // Never two passes at once.
    running ??= pass().finally(() => {
      running = undefined;
    });
    return running;
  };

  return {
    start() {
      if (timer || intervalSeconds <= 0) return;
      timer = setInterval(() => {
        runOnce()
          .then((counts) => {
            if (counts.committed + counts.released + counts.owedReleased + counts.failed > 0) deps.logger.info('reservations settled', { ...counts });
          })
          .catch((error: unknown) => deps.logger.error('settling reservations failed; the next pass retries', { error }));
      }, intervalSeconds * 1000);
      // The settler alone must not keep a process alive.
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running?.catch(() => undefined);
    },
    runOnce,
  };
}
