/**
 * Money travels as `{ amount: "1234.50", currency: "MXN" }` and is stored as integer centavos, so no sum
 * ever meets a binary float.
 */

/** The `Money` GraphQL object. */
export interface Money {
  amount: string;
  currency: string;
}

/** Default currency of the estate. */
export const DEFAULT_CURRENCY = 'MXN';

/** `123450` centavos → `{ amount: "1234.50", currency: "MXN" }`. */
export function moneyFromCents(cents: number, currency: string = DEFAULT_CURRENCY): Money {
  if (!Number.isSafeInteger(cents)) throw new RangeError(`Money needs whole centavos, got ${cents}`);
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const whole = Math.floor(abs / 100);
  const fraction = String(abs % 100).padStart(2, '0');
  return { amount: `${sign}${whole}.${fraction}`, currency };
}

/** `"1234.5"` → `123450`. Throws RangeError on anything that is not a plain decimal with ≤ 2 places. */
export function centsFromAmount(amount: string): number {
  const match = /^(-?)(\d{1,12})(?:\.(\d{1,2}))?$/.exec(amount.trim());
  if (!match) throw new RangeError(`Not a decimal amount: ${JSON.stringify(amount)}`);
  const [, sign, whole, fraction = ''] = match;
  const cents = Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
  return sign === '-' ? -cents : cents;
}
