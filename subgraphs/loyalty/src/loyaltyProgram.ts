/**
 * The loyalty programme wired together over one database: repositories, the points ledger and the
 * operations on it. Built once per process (the operations hold no per-request state); resolvers reach
 * it through the context, event handlers and scripts build it from a store.
 */
import type { MongoStore } from '../../kit/src';
import { PointsLedger } from './ledger/pointsLedger';
import { Adjustment } from './operations/adjustment';
import { CustomerErasure } from './operations/customerErasure';
import { CustomerMerge } from './operations/customerMerge';
import { Enrolment } from './operations/enrolment';
import { OrderPoints } from './operations/orderPoints';
import { Redemption } from './operations/redemption';
import { AccountRepository } from './repositories/accountRepository';
import { LedgerRepository } from './repositories/ledgerRepository';
import { PendingEarningRepository } from './repositories/pendingEarningRepository';

/** Everything the loyalty subgraph does, over one store. */
export interface LoyaltyProgram {
  accounts: AccountRepository;
  ledger: LedgerRepository;
  pending: PendingEarningRepository;
  pointsLedger: PointsLedger;
  orderPoints: OrderPoints;
  enrolment: Enrolment;
  redemption: Redemption;
  adjustment: Adjustment;
  merge: CustomerMerge;
  erasure: CustomerErasure;
}

/** Builds the programme over `store`. */
export function createLoyaltyProgram(store: MongoStore): LoyaltyProgram {
  const accounts = new AccountRepository(store);
  const ledger = new LedgerRepository(store);
  const pending = new PendingEarningRepository(store);
  const pointsLedger = new PointsLedger(accounts, ledger);
  const orderPoints = new OrderPoints(pointsLedger, ledger, pending);
  const erasure = new CustomerErasure(accounts, ledger, pending, pointsLedger);
  return {
    accounts,
    ledger,
    pending,
    pointsLedger,
    orderPoints,
    enrolment: new Enrolment(accounts, pointsLedger, orderPoints),
    redemption: new Redemption(pointsLedger),
    adjustment: new Adjustment(pointsLedger),
    merge: new CustomerMerge(accounts, ledger, pending, pointsLedger, orderPoints, erasure),
    erasure,
  };
}
