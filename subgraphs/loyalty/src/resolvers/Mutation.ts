/**
 * Loyalty mutations. Who may do what (DESIGN.md "Who may do what"):
 * - `enrollLoyalty`: the customer themself or staff (ASSOCIATE, AGENT, ADMIN, SERVICE).
 * - `redeemPoints`: the customer themself, or an ASSOCIATE or AGENT on their behalf; the channel and
 *   the actor are recorded on the ledger entry. ADMIN corrects balances with `adjustPoints` instead.
 * - `adjustPoints`: ADMIN only, with a reason.
 * ANALYST may do none of these.
 */
import { BadUserInputError, CHANNELS, requireCustomerAccess, requireRole, type Channel } from '../../../kit/src';
import type { LoyaltyContext } from '../context';
import {
  adjustPointsInput,
  customerIdInput,
  idempotencyKeyInput,
  reasonInput,
  redeemPointsInput,
} from '../input/loyaltyInput';
import type { AccountView } from '../repositories/accountRepository';

/** The channel an adjustment is recorded in when the admin does not say. */
const DEFAULT_ADJUSTMENT_CHANNEL: Channel = 'CALL_CENTER';

function channelInput(value: unknown, field = 'channel'): Channel {
  // GraphQL validated the enum already; this guards direct callers and keeps the type honest.
  if (typeof value !== 'string' || !(CHANNELS as readonly string[]).includes(value)) throw new BadUserInputError(`${field} is not a channel`, { field });
  return value as Channel;
}

/** `Mutation` resolvers. */
export const Mutation = {
  enrollLoyalty(_parent: unknown, args: { customerId: string; channel: Channel }, context: LoyaltyContext): Promise<AccountView> {
    const customerId = customerIdInput(args.customerId);
    requireCustomerAccess(context.principal, customerId);
    return context.program.enrolment.enroll(customerId, channelInput(args.channel));
  },

  redeemPoints(
    _parent: unknown,
    args: { customerId: string; points: number; channel: Channel; idempotencyKey: string },
    context: LoyaltyContext,
  ): Promise<AccountView> {
    const actor = requireRole(context.principal, 'CUSTOMER', 'ASSOCIATE', 'AGENT');
    const customerId = customerIdInput(args.customerId);
    if (actor.role === 'CUSTOMER') requireCustomerAccess(actor, customerId);
    return context.program.redemption.redeem({
      customerId,
      points: redeemPointsInput(args.points),
      channel: channelInput(args.channel),
      idempotencyKey: idempotencyKeyInput(args.idempotencyKey),
      actor,
    });
  },

  adjustPoints(
    _parent: unknown,
    args: { customerId: string; points: number; reason: string; channel?: Channel | null; idempotencyKey?: string | null },
    context: LoyaltyContext,
  ): Promise<AccountView> {
    const actor = requireRole(context.principal, 'ADMIN');
    return context.program.adjustment.adjust({
      customerId: customerIdInput(args.customerId),
      points: adjustPointsInput(args.points),
      reason: reasonInput(args.reason),
      channel: args.channel ? channelInput(args.channel) : DEFAULT_ADJUSTMENT_CHANNEL,
      ...(args.idempotencyKey !== undefined && args.idempotencyKey !== null ? { idempotencyKey: idempotencyKeyInput(args.idempotencyKey) } : {}),
      actor,
    });
  },
};
