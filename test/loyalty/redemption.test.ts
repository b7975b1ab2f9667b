/**
 * Redemption over real HTTP against a real database: atomic under concurrency from several channels,
 * never below zero, idempotent by key, and the balance is the ledger's sum afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { verifyLedger } from '../../subgraphs/loyalty/src/verifyLedger';
import { errorCodes, execute, tokenFor } from '../support/testkit';
import { REDEEM, firstError, memberWithPoints, newId, readLoyalty, startLoyalty, type LoyaltyFixture } from './loyaltyTestkit';

let fixture: LoyaltyFixture;
let url: string;

beforeAll(async () => {
  fixture = await startLoyalty('loyalty_redemption_test');
  url = fixture.loyalty.url;
});

afterAll(async () => {
  await fixture?.stop();
});

const associate = () => tokenFor('ASSOCIATE', 'associate-7', 'MX-GDL-CHAPULTEPEC');

describe('redeemPoints under concurrency', () => {
  it('balance 100, 20 concurrent redemptions of 10 from APP and STORE: exactly 10 succeed, balance 0, never negative', async () => {
    const customerId = newId('cus');
    await memberWithPoints(url, customerId, 100);

    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        i % 2 === 0
          ? execute<{ redeemPoints: { points: number } }>(url, REDEEM, { customerId, points: 10, channel: 'APP', idempotencyKey: `app-${i}` }, tokenFor('CUSTOMER', customerId))
          : execute<{ redeemPoints: { points: number } }>(url, REDEEM, { customerId, points: 10, channel: 'STORE', idempotencyKey: `till-${i}` }, associate()),
      ),
    );

    const succeeded = responses.filter((response) => !response.errors);
    const refused = responses.filter((response) => response.errors);
    expect(succeeded).toHaveLength(10);
    expect(refused.map((response) => firstError(response)?.code)).toEqual(Array(10).fill('INSUFFICIENT_POINTS'));
    // Every balance anyone saw is within [0, 100): the one after each success and the one each refusal reports.
    const balancesSeen = [
      ...succeeded.map((response) => response.data?.redeemPoints.points as number),
      ...refused.map((response) => firstError(response)?.extensions.balance as number),
    ];
    for (const balance of balancesSeen) {
      expect(balance).toBeGreaterThanOrEqual(0);
      expect(balance).toBeLessThan(100);
    }

    const account = await readLoyalty(url, customerId, tokenFor('CUSTOMER', customerId), 50);
    expect(account?.points).toBe(0);
    const redemptions = account?.transactions.nodes.filter((node) => node.kind === 'REDEEM') ?? [];
    expect(redemptions).toHaveLength(10);
    expect(redemptions.every((node) => node.points === -10)).toBe(true);
    expect(redemptions.every((node) => node.channel === 'APP' || node.channel === 'STORE')).toBe(true);
    expect((await verifyLedger(fixture.loyalty.store)).ok).toBe(true);
  });

  it('the same key 10 times at once is one redemption, and every call returns the account', async () => {
    const customerId = newId('cus');
    await memberWithPoints(url, customerId, 100);

    const responses = await Promise.all(
      Array.from({ length: 10 }, () =>
        execute<{ redeemPoints: { points: number } }>(url, REDEEM, { customerId, points: 30, channel: 'APP', idempotencyKey: 'cafe-de-olla-1' }, tokenFor('CUSTOMER', customerId)),
      ),
    );

    expect(responses.map((response) => response.errors)).toEqual(Array(10).fill(undefined));
    expect(responses.map((response) => response.data?.redeemPoints.points)).toEqual(Array(10).fill(70));
    // And later, in sequence, from another channel's retry: still the same one redemption.
    const retry = await execute<{ redeemPoints: { points: number } }>(url, REDEEM, { customerId, points: 30, channel: 'APP', idempotencyKey: 'cafe-de-olla-1' }, tokenFor('CUSTOMER', customerId));
    expect(retry.data?.redeemPoints.points).toBe(70);

    const account = await readLoyalty(url, customerId);
    expect(account?.points).toBe(70);
    expect(account?.transactions.nodes.filter((node) => node.kind === 'REDEEM').map((node) => node.points)).toEqual([-30]);
  });

  it('a key reused for a different amount is a CONFLICT, not a second redemption', async () => {
    const customerId = newId('cus');
    await memberWithPoints(url, customerId, 100);
    await execute(url, REDEEM, { customerId, points: 20, channel: 'WEB', idempotencyKey: 'k-1' }, tokenFor('CUSTOMER', customerId));

    const reused = await execute(url, REDEEM, { customerId, points: 25, channel: 'WEB', idempotencyKey: 'k-1' }, tokenFor('CUSTOMER', customerId));

    expect(firstError(reused)).toMatchObject({ code: 'CONFLICT', extensions: { field: 'idempotencyKey' } });
    expect((await readLoyalty(url, customerId))?.points).toBe(80);
  });
});

describe('redeemPoints refusals', () => {
  it('more than the balance: INSUFFICIENT_POINTS with the balance, nothing written', async () => {
    const customerId = newId('cus');
    await memberWithPoints(url, customerId, 40);

    const response = await execute(url, REDEEM, { customerId, points: 41, channel: 'STORE', idempotencyKey: 'too-much' }, associate());

    expect(firstError(response)).toMatchObject({ code: 'INSUFFICIENT_POINTS', extensions: { balance: 40, requested: 41 } });
    const account = await readLoyalty(url, customerId);
    expect(account?.points).toBe(40);
    expect(account?.transactions.nodes.map((node) => node.kind)).toEqual(['ADJUST']);
    // The refused key can be used once the balance allows it.
    await memberWithPoints(url, customerId, 1);
    const retried = await execute<{ redeemPoints: { points: number } }>(url, REDEEM, { customerId, points: 41, channel: 'STORE', idempotencyKey: 'too-much' }, associate());
    expect(retried.data?.redeemPoints.points).toBe(0);
  });

  it('not enrolled: NOT_FOUND', async () => {
    const response = await execute(url, REDEEM, { customerId: newId('cus'), points: 1, channel: 'APP', idempotencyKey: 'x' }, associate());
    expect(errorCodes(response)).toEqual(['NOT_FOUND']);
  });

  it('bad input names the argument', async () => {
    const customerId = newId('cus');
    await memberWithPoints(url, customerId, 10);
    const cases: [Record<string, unknown>, string][] = [
      [{ points: 0 }, 'points'],
      [{ points: -5 }, 'points'],
      [{ points: 1_000_001 }, 'points'],
      [{ idempotencyKey: '' }, 'idempotencyKey'],
      [{ idempotencyKey: 'x'.repeat(129) }, 'idempotencyKey'],
      [{ idempotencyKey: 'has space' }, 'idempotencyKey'],
      [{ customerId: 'cus_1"; drop' }, 'customerId'],
    ];
    for (const [override, field] of cases) {
      const response = await execute(url, REDEEM, { customerId, points: 1, channel: 'APP', idempotencyKey: 'ok-key', ...override }, associate());
      expect(firstError(response)).toMatchObject({ code: 'BAD_USER_INPUT', extensions: { field } });
    }
    expect((await readLoyalty(url, customerId))?.points).toBe(10);
  });
});
