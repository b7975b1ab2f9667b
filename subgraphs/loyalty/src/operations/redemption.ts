/**
 * Redemption: spends points in any channel. Atomic (the balance condition is part of the one
 * conditional update of `PointsLedger`, never read-then-write), never below zero
 * (INSUFFICIENT_POINTS with the balance), idempotent by (customer, idempotency key): the same key ten
 * times — in sequence or at once — is one redemption, and each call returns the account.
 */
import { ConflictError, InsufficientPointsError, NotFoundError, UnreachableCaseError, type Channel, type Principal } from '../../../kit/src';
import type { PointsLedger, PostResult } from '../ledger/pointsLedger';
import type { AccountView } from '../repositories/accountRepository';
import { DedupeKey, transactionIdOf } from '../repositories/ledgerRepository';

/** A redemption request, validated by the resolver. */
export interface RedeemRequest {
  customerId: string;
  points: number;
  channel: Channel;
  idempotencyKey: string;
  /** The customer themself, or the associate/agent redeeming on their behalf. */
  actor: Principal;
}

/** The account after a posting, or the error a client should see. */
export function accountAfterPosting(result: PostResult, customerId: string, requestedPoints: number): AccountView {
  switch (result.outcome) {
    case 'APPLIED':
      return result.account;
    case 'DUPLICATE':
      if (!result.account || result.account.status !== 'ACTIVE') throw new NotFoundError('LoyaltyAccount', customerId);
      return result.account;
    case 'REFUSED':
      throw new InsufficientPointsError(requestedPoints, result.account.points);
    case 'NO_ACCOUNT':
    case 'CLOSED':
      throw new NotFoundError('LoyaltyAccount', customerId);
    default:
      throw new UnreachableCaseError(result);
  }
}

/** Redeems points (see module comment). */
export class Redemption {
  constructor(private readonly pointsLedger: PointsLedger) {}

  /** Spends `points`; returns the account after the redemption (or after the first one with this key). */
  async redeem(request: RedeemRequest): Promise<AccountView> {
    const dedupeKey = DedupeKey.redeem(request.customerId, request.idempotencyKey);
    const result = await this.pointsLedger.post(
      {
        _id: transactionIdOf(dedupeKey),
        dedupeKey,
        customerId: request.customerId,
        kind: 'REDEEM',
        points: -request.points,
        channel: request.channel,
        idempotencyKey: request.idempotencyKey,
        actor: { role: request.actor.role, sub: request.actor.sub },
        at: new Date(),
      },
      { minimumBalance: request.points },
    );
    if (result.outcome === 'DUPLICATE' && result.entry && result.entry.points !== -request.points) {
      throw new ConflictError(`idempotencyKey ${JSON.stringify(request.idempotencyKey)} was already used for a redemption of ${-result.entry.points} points`, {
        field: 'idempotencyKey',
      });
    }
    return accountAfterPosting(result, request.customerId, request.points);
  }
}
