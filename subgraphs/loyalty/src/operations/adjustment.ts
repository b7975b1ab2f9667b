/**
 * Manual corrections by ADMIN: an ADJUST entry with a required reason. A negative adjustment may not
 * take the balance below zero (INSUFFICIENT_POINTS), like a redemption. Idempotent by key when the
 * caller gives one; without a key every call is a new adjustment. Adjustments change the balance only,
 * not the points earned (so not the tier).
 */
import { randomUUID } from 'node:crypto';
import { ConflictError, type Channel, type Principal } from '../../../kit/src';
import type { PointsLedger } from '../ledger/pointsLedger';
import type { AccountView } from '../repositories/accountRepository';
import { DedupeKey, transactionIdOf } from '../repositories/ledgerRepository';
import { accountAfterPosting } from './redemption';

/** An adjustment request, validated by the resolver. */
export interface AdjustRequest {
  customerId: string;
  /** Signed, non-zero. */
  points: number;
  reason: string;
  channel: Channel;
  idempotencyKey?: string;
  actor: Principal;
}

/** Adjusts balances (see module comment). */
export class Adjustment {
  constructor(private readonly pointsLedger: PointsLedger) {}

  /** Posts the adjustment; returns the account after it. */
  async adjust(request: AdjustRequest): Promise<AccountView> {
    const dedupeKey = DedupeKey.adjust(request.customerId, request.idempotencyKey ?? randomUUID());
    const result = await this.pointsLedger.post(
      {
        _id: transactionIdOf(dedupeKey),
        dedupeKey,
        customerId: request.customerId,
        kind: 'ADJUST',
        points: request.points,
        channel: request.channel,
        reason: request.reason,
        ...(request.idempotencyKey ? { idempotencyKey: request.idempotencyKey } : {}),
        actor: { role: request.actor.role, sub: request.actor.sub },
        at: new Date(),
      },
      request.points < 0 ? { minimumBalance: -request.points } : {},
    );
    if (result.outcome === 'DUPLICATE' && result.entry && result.entry.points !== request.points) {
      throw new ConflictError(`idempotencyKey ${JSON.stringify(request.idempotencyKey)} was already used for an adjustment of ${result.entry.points} points`, {
        field: 'idempotencyKey',
      });
    }
    return accountAfterPosting(result, request.customerId, -request.points);
  }
}
