/**
 * The loyalty programme's rules, in one place: how many points an order earns, how tiers are reached,
 * how much a return takes back and how long a non-member has to enrol and still earn.
 *
 * Earning. 1 point per 10 MXN of the order total (centavos / 1,000), times the multiplier of the tier
 * the customer held when the order was placed: BRONCE ×1.00, PLATA ×1.25, ORO ×1.50, always rounded
 * down. Integer arithmetic only (multipliers are kept as percentages), so no float ever decides a
 * point. An order total of $1,299.00 earns 129 points at BRONCE, 162 at PLATA and 194 at ORO.
 *
 * Tiers. By the points earned (EARN net of REVERSE; redemptions and manual adjustments do not count)
 * in the last 12 months: BRONCE from 0, PLATA from 1,000, ORO from 5,000 (the SDL says the same).
 * "The last 12 months" is counted in whole calendar months (UTC): the month of the instant asked about
 * and the 11 before it. Each account keeps its earned points per month (`earnedByMonth`), so the tier
 * is recomputed from the account alone whenever points change, and falls on its own when old months
 * leave the window. The multiplier of an order uses the tier as of the order's month, without the
 * order itself.
 *
 * Returns. A return takes back `floor(earned × refund / orderTotal)` of the points the order earned,
 * never more than the order still holds. A cancellation takes back everything the order still holds.
 *
 * Late enrolment. An order of a customer who is not a member is remembered; if they enrol within
 * {@link ENROLMENT_WINDOW_DAYS} days of the order being placed, it earns as if they had been a member
 * (at their tier on enrolment day, BRONCE for a new member). Older orders never earn.
 */

/** The tiers, lowest first. */
export const LOYALTY_TIERS = ['BRONCE', 'PLATA', 'ORO'] as const;

/** A loyalty tier. */
export type LoyaltyTier = (typeof LOYALTY_TIERS)[number];

/** Points earned in the last 12 months needed to hold each tier. */
export const TIER_THRESHOLDS: Readonly<Record<LoyaltyTier, number>> = { BRONCE: 0, PLATA: 1_000, ORO: 5_000 };

/** Earning multiplier of each tier, in percent (integers keep the arithmetic exact). */
export const TIER_MULTIPLIER_PERCENT: Readonly<Record<LoyaltyTier, number>> = { BRONCE: 100, PLATA: 125, ORO: 150 };

/** Centavos of order total per base point: 1 point per 10 MXN. */
export const CENTS_PER_POINT = 1_000;

/** How many calendar months (including the current one) count towards the tier. */
export const TIER_WINDOW_MONTHS = 12;

/** A non-member who enrols within this many days of an order still earns its points. */
export const ENROLMENT_WINDOW_DAYS = 30;

const DAY_MS = 86_400_000;

/** Points an order of `totalCents` earns at `tier` (never negative). */
export function pointsForOrder(totalCents: number, tier: LoyaltyTier): number {
  if (!Number.isSafeInteger(totalCents) || totalCents <= 0) return 0;
  return Math.floor((totalCents * TIER_MULTIPLIER_PERCENT[tier]) / (CENTS_PER_POINT * 100));
}

/**
 * Points a refund takes back: `floor(earned × refund / orderTotal)`, capped at what the order still
 * holds (`remaining`). Zero when the order earned nothing or the totals make no sense.
 */
export function pointsToReverseForRefund(earned: number, refundCents: number, orderTotalCents: number, remaining: number): number {
  if (earned <= 0 || remaining <= 0 || orderTotalCents <= 0 || refundCents <= 0) return 0;
  const refund = Math.min(refundCents, orderTotalCents);
  return Math.min(Math.floor((earned * refund) / orderTotalCents), remaining);
}

/** The `earnedByMonth` key of an instant: `YYYY-MM` in UTC. */
export function monthKeyOf(at: Date): string {
  return at.toISOString().slice(0, 7);
}

/** Months since year 0 of a `YYYY-MM` key or a date; NaN for a malformed key. */
function monthIndexOf(value: string | Date): number {
  const key = typeof value === 'string' ? value : monthKeyOf(value);
  const match = /^(\d{4})-(\d{2})$/.exec(key);
  if (!match) return Number.NaN;
  return Number(match[1]) * 12 + Number(match[2]) - 1;
}

/** Points earned in the {@link TIER_WINDOW_MONTHS} calendar months ending with the month of `at`. */
export function pointsInTierWindow(earnedByMonth: Readonly<Record<string, number>> | undefined, at: Date): number {
  if (!earnedByMonth) return 0;
  const last = monthIndexOf(at);
  const first = last - (TIER_WINDOW_MONTHS - 1);
  let sum = 0;
  for (const [key, points] of Object.entries(earnedByMonth)) {
    const index = monthIndexOf(key);
    if (index >= first && index <= last && Number.isFinite(points)) sum += points;
  }
  return sum;
}

/** The tier that `pointsInWindow` earned points (last 12 months) give. */
export function tierForPoints(pointsInWindow: number): LoyaltyTier {
  if (pointsInWindow >= TIER_THRESHOLDS.ORO) return 'ORO';
  if (pointsInWindow >= TIER_THRESHOLDS.PLATA) return 'PLATA';
  return 'BRONCE';
}

/** The tier of an account with these monthly earnings, as of `at`. */
export function tierAt(earnedByMonth: Readonly<Record<string, number>> | undefined, at: Date): LoyaltyTier {
  return tierForPoints(pointsInTierWindow(earnedByMonth, at));
}

/** The next tier and the points still needed for it, or null at the top tier. */
export function nextTierAfter(pointsInWindow: number): { tier: LoyaltyTier; pointsNeeded: number } | null {
  const current = tierForPoints(pointsInWindow);
  const next = LOYALTY_TIERS[LOYALTY_TIERS.indexOf(current) + 1];
  if (!next) return null;
  return { tier: next, pointsNeeded: TIER_THRESHOLDS[next] - pointsInWindow };
}

/** True when an order placed at `placedAt` earns for a member enrolled at `enrolledAt` (late enrolment window). */
export function orderEarnsForMember(placedAt: Date, enrolledAt: Date): boolean {
  return placedAt.getTime() >= enrolledAt.getTime() - ENROLMENT_WINDOW_DAYS * DAY_MS;
}

/** The earliest `placedAt` of an order that still earns for a member enrolled at `enrolledAt`. */
export function earliestEarningPlacedAt(enrolledAt: Date): Date {
  return new Date(enrolledAt.getTime() - ENROLMENT_WINDOW_DAYS * DAY_MS);
}
