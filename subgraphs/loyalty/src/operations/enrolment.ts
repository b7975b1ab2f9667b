/**
 * Enrolment: creates the customer's one account (idempotent — enrolling again, from any channel, returns
 * the same account) and credits the orders they placed within the late-enrolment window of
 * `earningRule.ts` while they were not a member.
 */
import { ConflictError, NotFoundError, type Channel } from '../../../kit/src';
import type { PointsLedger } from '../ledger/pointsLedger';
import { newAccount, type AccountRepository, type AccountView } from '../repositories/accountRepository';
import { isDuplicateKeyError } from '../repositories/ledgerRepository';
import type { OrderPoints } from './orderPoints';

/** Enrols customers (see module comment). */
export class Enrolment {
  constructor(
    private readonly accounts: AccountRepository,
    private readonly pointsLedger: PointsLedger,
    private readonly orderPoints: OrderPoints,
  ) {}

  /** Enrols `customerId` through `channel`, or returns the existing account; credits pending orders. */
  async enroll(customerId: string, channel: Channel): Promise<AccountView> {
    try {
      await this.accounts.insertIfAbsent(newAccount(customerId, channel, new Date()));
    } catch (error) {
      // Two concurrent upserts of one _id: the loser gets E11000, and the account exists — as wanted.
      if (!isDuplicateKeyError(error)) throw error;
    }
    const account = await this.pointsLedger.accountView(customerId);
    if (!account) throw new NotFoundError('LoyaltyAccount', customerId);
    if (account.status === 'MERGED') throw new ConflictError(`Customer ${customerId} was merged into ${account.mergedInto}; enrol the survivor`, { mergedInto: account.mergedInto });
    if (account.status === 'ERASED') throw new ConflictError(`Customer ${customerId} was erased`);
    // Always try: it is one query when nothing is pending, and it finishes a credit a crash interrupted.
    const credited = await this.orderPoints.creditPending(account);
    return credited > 0 ? ((await this.pointsLedger.accountView(customerId)) ?? account) : account;
  }
}
