/**
 * Points from domain events, through the handlers the transport will call: earned exactly once per
 * order whatever the redelivery, visible at once in every channel, reversed on cancellation and
 * proportionally on return, credited late to a customer who enrols within the window, added up on a
 * merge and erased on request. The ledger equals the balance after each scenario.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ENROLMENT_WINDOW_DAYS } from '../../subgraphs/loyalty/src/earningRule';
import { verifyLedger } from '../../subgraphs/loyalty/src/verifyLedger';
import { errorCodes, execute, tokenFor } from '../support/testkit';
import {
  ENROLL,
  ORDER_POINTS,
  customerEvent,
  memberWithPoints,
  newId,
  orderCancelled,
  orderPlaced,
  orderReturned,
  readLoyalty,
  startLoyalty,
  type LoyaltyFixture,
} from './loyaltyTestkit';

let fixture: LoyaltyFixture;
let url: string;
const DAY_MS = 86_400_000;

beforeAll(async () => {
  fixture = await startLoyalty('loyalty_earning_test');
  url = fixture.loyalty.url;
});

afterAll(async () => {
  await fixture?.stop();
});

async function pointsEarned(orderId: string, token = tokenFor('AGENT')): Promise<number | undefined> {
  const response = await execute<{ _entities: { pointsEarned: number }[] }>(url, ORDER_POINTS, { representations: [{ __typename: 'Order', id: orderId }] }, token);
  return response.data?._entities[0]?.pointsEarned;
}

async function ledgerEntries(filter: Record<string, unknown>) {
  return fixture.program.ledger.collection.find(filter).toArray();
}

async function expectLedgerBalanced() {
  const verification = await verifyLedger(fixture.loyalty.store);
  expect(verification.mismatches).toEqual([]);
  expect(verification.ok).toBe(true);
}

describe('earning from OrderPlaced', () => {
  it('an order at the till shows its points in the app right after the event is processed', async () => {
    const customerId = newId('cus');
    await execute(url, ENROLL, { customerId, channel: 'APP' }, tokenFor('CUSTOMER', customerId));
    const placed = orderPlaced(customerId, 129_900, { channel: 'STORE' });

    await fixture.handlers.OrderPlaced(placed);

    const account = await readLoyalty(url, customerId, tokenFor('CUSTOMER', customerId));
    expect(account).toMatchObject({ points: 129, lifetimePoints: 129, tier: 'BRONCE', nextTier: { tier: 'PLATA', pointsNeeded: 871 } });
    expect(account?.transactions.nodes[0]).toMatchObject({ kind: 'EARN', points: 129, channel: 'STORE', order: { id: placed.payload.orderId } });
    expect(await pointsEarned(placed.payload.orderId, tokenFor('CUSTOMER', customerId))).toBe(129);
  });

  it('a redelivered OrderPlaced (3 times in a row, then 5 copies at once) earns once', async () => {
    const customerId = newId('cus');
    await memberWithPoints(url, customerId, 0);
    const placed = orderPlaced(customerId, 250_000, { channel: 'WEB' });

    for (let i = 0; i < 3; i += 1) await fixture.handlers.OrderPlaced(placed);
    await Promise.all(Array.from({ length: 5 }, () => fixture.handlers.OrderPlaced(placed)));

    expect(await ledgerEntries({ orderId: placed.payload.orderId })).toHaveLength(1);
    expect((await readLoyalty(url, customerId))?.points).toBe(250);
    await expectLedgerBalanced();
  });

  it('concurrent first deliveries of one order earn once', async () => {
    const customerId = newId('cus');
    await memberWithPoints(url, customerId, 0);
    const placed = orderPlaced(customerId, 99_900);

    await Promise.all([fixture.handlers.OrderPlaced(placed), fixture.handlers.OrderPlaced(placed), fixture.handlers.OrderPlaced(placed)]);

    expect(await ledgerEntries({ orderId: placed.payload.orderId, kind: 'EARN' })).toHaveLength(1);
    expect((await readLoyalty(url, customerId))?.points).toBe(99);
  });

  it('the tier multiplier applies: PLATA earns ×1.25 and the next tier is ORO', async () => {
    const customerId = newId('cus');
    await memberWithPoints(url, customerId, 0);
    await fixture.handlers.OrderPlaced(orderPlaced(customerId, 1_000_000));
    const second = orderPlaced(customerId, 100_000);

    await fixture.handlers.OrderPlaced(second);

    const account = await readLoyalty(url, customerId);
    expect(account).toMatchObject({ tier: 'PLATA', points: 1_125, lifetimePoints: 1_125, nextTier: { tier: 'ORO', pointsNeeded: 3_875 } });
    expect(await pointsEarned(second.payload.orderId)).toBe(125);
  });

  it('adjustments and redemptions do not count towards the tier', async () => {
    const customerId = newId('cus');
    await memberWithPoints(url, customerId, 6_000);
    const account = await readLoyalty(url, customerId);
    expect(account).toMatchObject({ tier: 'BRONCE', points: 6_000, lifetimePoints: 0 });
  });
});

describe('reversals', () => {
  it('a cancellation reverses the order, once however often it is delivered', async () => {
    const customerId = newId('cus');
    await memberWithPoints(url, customerId, 50);
    const placed = orderPlaced(customerId, 300_000);
    await fixture.handlers.OrderPlaced(placed);
    expect((await readLoyalty(url, customerId))?.points).toBe(350);

    const cancelled = orderCancelled(placed);
    await fixture.handlers.OrderCancelled(cancelled);
    await fixture.handlers.OrderCancelled(cancelled);
    await Promise.all([fixture.handlers.OrderCancelled(cancelled), fixture.handlers.OrderCancelled(orderCancelled(placed, 'APP'))]);

    const account = await readLoyalty(url, customerId);
    expect(account).toMatchObject({ points: 50, lifetimePoints: 0 });
    expect(account?.transactions.nodes[0]).toMatchObject({ kind: 'REVERSE', points: -300, channel: 'CALL_CENTER' });
    expect(await ledgerEntries({ orderId: placed.payload.orderId, kind: 'REVERSE' })).toHaveLength(1);
    expect(await pointsEarned(placed.payload.orderId)).toBe(0);
    await expectLedgerBalanced();
  });

  it('a partial return reverses floor(earned × refund / total), once per return', async () => {
    const customerId = newId('cus');
    await memberWithPoints(url, customerId, 0);
    const placed = orderPlaced(customerId, 100_000);
    await fixture.handlers.OrderPlaced(placed);

    const first = orderReturned(placed, 25_050);
    await fixture.handlers.OrderReturned(first);
    await fixture.handlers.OrderReturned(first);
    await fixture.handlers.OrderReturned(orderReturned(placed, 30_000));

    expect(await pointsEarned(placed.payload.orderId)).toBe(100 - 25 - 30);
    expect((await readLoyalty(url, customerId))?.points).toBe(45);
    expect((await ledgerEntries({ orderId: placed.payload.orderId, kind: 'REVERSE' })).map((entry) => entry.points).sort()).toEqual([-25, -30]);

    // Cancelling what is left takes back the rest, never more.
    await fixture.handlers.OrderCancelled(orderCancelled(placed));
    expect(await pointsEarned(placed.payload.orderId)).toBe(0);
    await expectLedgerBalanced();
  });

  it('a reversal may leave a negative balance when the points were already spent; redemptions never can', async () => {
    const customerId = newId('cus');
    await memberWithPoints(url, customerId, 0);
    const placed = orderPlaced(customerId, 200_000);
    await fixture.handlers.OrderPlaced(placed);
    await fixture.program.redemption.redeem({ customerId, points: 150, channel: 'APP', idempotencyKey: 'spent', actor: { sub: customerId, role: 'CUSTOMER' } });

    await fixture.handlers.OrderCancelled(orderCancelled(placed));

    expect((await readLoyalty(url, customerId))?.points).toBe(-150);
    await expect(fixture.program.redemption.redeem({ customerId, points: 1, channel: 'APP', idempotencyKey: 'more', actor: { sub: customerId, role: 'CUSTOMER' } })).rejects.toMatchObject({
      extensions: { code: 'INSUFFICIENT_POINTS', balance: -150 },
    });
  });
});

describe('non-members and late enrolment', () => {
  it('orders of a non-member earn nothing until they enrol; enrolment within the window credits them once, net of cancellations and returns', async () => {
    const customerId = newId('cus');
    const now = Date.now();
    const recent = orderPlaced(customerId, 200_000, { placedAt: new Date(now - 10 * DAY_MS) });
    const tooOld = orderPlaced(customerId, 300_000, { placedAt: new Date(now - (ENROLMENT_WINDOW_DAYS + 5) * DAY_MS) });
    const cancelledLater = orderPlaced(customerId, 400_000, { placedAt: new Date(now - 5 * DAY_MS) });
    const returnedLater = orderPlaced(customerId, 100_000, { placedAt: new Date(now - 3 * DAY_MS) });
    for (const placed of [recent, tooOld, cancelledLater, returnedLater]) {
      await fixture.handlers.OrderPlaced(placed);
      await fixture.handlers.OrderPlaced(placed);
    }
    await fixture.handlers.OrderCancelled(orderCancelled(cancelledLater));
    await fixture.handlers.OrderReturned(orderReturned(returnedLater, 50_000));

    expect(await readLoyalty(url, customerId)).toBeNull();
    expect(await pointsEarned(recent.payload.orderId)).toBe(0);
    expect(await fixture.program.pending.collection.countDocuments({ customerId })).toBe(4);

    const enrolments = await Promise.all(
      ['APP', 'STORE', 'WEB'].map((channel) => execute<{ enrollLoyalty: { points: number } }>(url, ENROLL, { customerId, channel }, tokenFor('CUSTOMER', customerId))),
    );
    expect(enrolments.map((response) => response.errors)).toEqual([undefined, undefined, undefined]);

    const account = await readLoyalty(url, customerId);
    expect(account?.points).toBe(200 + 100 - 50);
    expect(await pointsEarned(recent.payload.orderId)).toBe(200);
    expect(await pointsEarned(tooOld.payload.orderId)).toBe(0);
    expect(await pointsEarned(cancelledLater.payload.orderId)).toBe(0);
    expect(await pointsEarned(returnedLater.payload.orderId)).toBe(50);

    // Enrolling again, or the old events coming again, changes nothing.
    await execute(url, ENROLL, { customerId, channel: 'APP' }, tokenFor('CUSTOMER', customerId));
    await fixture.handlers.OrderPlaced(recent);
    expect((await readLoyalty(url, customerId))?.points).toBe(250);
    expect(await ledgerEntries({ customerId, kind: 'EARN' })).toHaveLength(2);
    await expectLedgerBalanced();
  });

  it('a member earns on orders placed after enrolment without any pending step', async () => {
    const customerId = newId('cus');
    await execute(url, ENROLL, { customerId, channel: 'WHATSAPP' }, tokenFor('AGENT'));
    await fixture.handlers.OrderPlaced(orderPlaced(customerId, 54_900, { channel: 'WHATSAPP' }));
    expect(await readLoyalty(url, customerId)).toMatchObject({ points: 54, enrolledVia: 'WHATSAPP' });
    expect(await fixture.program.pending.collection.countDocuments({ customerId })).toBe(0);
  });
});

describe('CustomerMerged', () => {
  it("moves the duplicate's ledger and balance to the survivor exactly once", async () => {
    const survivorId = newId('cus');
    const duplicateId = newId('cus');
    await memberWithPoints(url, survivorId, 150);
    await memberWithPoints(url, duplicateId, 0);
    const duplicateOrder = orderPlaced(duplicateId, 500_000);
    await fixture.handlers.OrderPlaced(duplicateOrder);
    await fixture.handlers.OrderPlaced(orderPlaced(survivorId, 100_000));
    await fixture.program.redemption.redeem({ customerId: duplicateId, points: 200, channel: 'STORE', idempotencyKey: 'dup-redeem', actor: { sub: 'associate-1', role: 'ASSOCIATE' } });

    const merged = customerEvent('CustomerMerged', { survivorId, duplicateId });
    await fixture.handlers.CustomerMerged(merged);
    await Promise.all([fixture.handlers.CustomerMerged(merged), fixture.handlers.CustomerMerged(merged)]);

    const survivor = await readLoyalty(url, survivorId, tokenFor('CUSTOMER', survivorId));
    expect(survivor).toMatchObject({ points: 150 + 100 + 500 - 200, lifetimePoints: 600 });
    expect(survivor?.transactions.totalCount).toBe(4);
    expect(await readLoyalty(url, duplicateId)).toBeNull();
    expect(await ledgerEntries({ customerId: duplicateId })).toHaveLength(0);
    await expectLedgerBalanced();

    // An event about the duplicate's order that was still in flight lands on the survivor.
    await fixture.handlers.OrderCancelled(orderCancelled(duplicateOrder));
    expect((await readLoyalty(url, survivorId))?.points).toBe(50);
    await fixture.handlers.OrderPlaced(orderPlaced(duplicateId, 80_000));
    expect((await readLoyalty(url, survivorId))?.points).toBe(130);
    await expectLedgerBalanced();
  });

  it('a survivor who was not a member gets the duplicate’s account; a non-member duplicate brings pending orders', async () => {
    const survivorId = newId('cus');
    const duplicateId = newId('cus');
    await memberWithPoints(url, duplicateId, 70, 'STORE');
    await fixture.handlers.CustomerMerged(customerEvent('CustomerMerged', { survivorId, duplicateId }));
    expect(await readLoyalty(url, survivorId)).toMatchObject({ points: 70, enrolledVia: 'STORE' });

    const nonMember = newId('cus');
    await fixture.handlers.OrderPlaced(orderPlaced(nonMember, 120_000, { placedAt: new Date(Date.now() - DAY_MS) }));
    await fixture.handlers.CustomerMerged(customerEvent('CustomerMerged', { survivorId, duplicateId: nonMember }));
    expect((await readLoyalty(url, survivorId))?.points).toBe(70 + 120);
    await expectLedgerBalanced();
  });
});

describe('CustomerErased', () => {
  it('removes the account and the personal link of the ledger, keeps anonymous facts, and keeps late events out', async () => {
    const customerId = newId('cus');
    await memberWithPoints(url, customerId, 30);
    const placed = orderPlaced(customerId, 150_000);
    await fixture.handlers.OrderPlaced(placed);
    await fixture.program.redemption.redeem({ customerId, points: 20, channel: 'APP', idempotencyKey: 'before-erasure', actor: { sub: customerId, role: 'CUSTOMER' } });
    await fixture.handlers.OrderPlaced(orderPlaced(customerId, 10_000));
    const entriesBefore = (await ledgerEntries({ customerId })).map((entry) => entry._id);

    const erased = customerEvent('CustomerErased', { customerId });
    await fixture.handlers.CustomerErased(erased);
    await fixture.handlers.CustomerErased(erased);

    expect(await readLoyalty(url, customerId)).toBeNull();
    expect(await ledgerEntries({ customerId })).toHaveLength(0);
    const anonymous = await ledgerEntries({ _id: { $in: entriesBefore } });
    expect(anonymous).toHaveLength(entriesBefore.length);
    for (const entry of anonymous) {
      expect(entry.customerId).toBeNull();
      expect(entry).not.toHaveProperty('actor');
      expect(entry).not.toHaveProperty('reason');
      expect(entry).not.toHaveProperty('idempotencyKey');
      expect(entry.dedupeKey ?? '').not.toContain(customerId);
    }
    const account = await fixture.program.accounts.collection.findOne({ _id: customerId });
    expect(account).toMatchObject({ status: 'ERASED', points: 0 });
    expect(account).not.toHaveProperty('enrolledAt');

    // Late events and re-enrolment do not bring the customer back.
    await fixture.handlers.OrderPlaced(orderPlaced(customerId, 90_000));
    await fixture.handlers.OrderCancelled(orderCancelled(placed));
    expect(await fixture.program.pending.collection.countDocuments({ customerId })).toBe(0);
    expect(await ledgerEntries({ customerId })).toHaveLength(0);
    expect(errorCodes(await execute(url, ENROLL, { customerId, channel: 'APP' }, tokenFor('AGENT')))).toEqual(['CONFLICT']);
    await expectLedgerBalanced();
  });
});
