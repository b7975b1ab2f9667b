/**
 * Who may do what with loyalty, over real HTTP — including `_entities`, because a subgraph is never
 * trusted to be called only by the gateway: customers read and spend only their own points,
 * associates and agents redeem on a customer's behalf (the channel and the actor are recorded), only
 * ADMIN adjusts (with a reason), analysts see no personal account. Also the `transactions` connection.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { errorCodes, execute, tokenFor } from '../support/testkit';
import {
  ADJUST,
  CUSTOMER_LOYALTY,
  ENROLL,
  ORDER_POINTS,
  REDEEM,
  firstError,
  memberWithPoints,
  newId,
  orderPlaced,
  readLoyalty,
  startLoyalty,
  type LoyaltyFixture,
  type LoyaltyView,
} from './loyaltyTestkit';

let fixture: LoyaltyFixture;
let url: string;
let ana: string;
let beto: string;

beforeAll(async () => {
  fixture = await startLoyalty('loyalty_authorization_test');
  url = fixture.loyalty.url;
  ana = newId('cus');
  beto = newId('cus');
  await memberWithPoints(url, ana, 500);
  await memberWithPoints(url, beto, 500);
});

afterAll(async () => {
  await fixture?.stop();
});

const asCustomer = (customerId: string) => tokenFor('CUSTOMER', customerId);
const loyaltyOf = (customerId: string, token?: string) =>
  execute<{ _entities: { loyalty: LoyaltyView | null }[] }>(url, CUSTOMER_LOYALTY, { representations: [{ __typename: 'Customer', id: customerId }] }, token);

describe('Customer.loyalty', () => {
  it('a customer reads their own account', async () => {
    const response = await loyaltyOf(ana, asCustomer(ana));
    expect(response.errors).toBeUndefined();
    expect(response.data?._entities[0]?.loyalty?.points).toBe(500);
  });

  it("another customer's account is FORBIDDEN, for customers and analysts alike", async () => {
    for (const token of [asCustomer(beto), tokenFor('ANALYST')]) {
      const response = await loyaltyOf(ana, token);
      expect(errorCodes(response)).toEqual(['FORBIDDEN']);
      expect(response.data?._entities[0]?.loyalty ?? null).toBeNull();
    }
  });

  it('without a token: UNAUTHENTICATED', async () => {
    expect(errorCodes(await loyaltyOf(ana))).toEqual(['UNAUTHENTICATED']);
  });

  it('staff and services read any account; a customer who never enrolled has none', async () => {
    for (const token of [tokenFor('ASSOCIATE', 'a-1', 'MX-OAX-CENTRO'), tokenFor('AGENT'), tokenFor('ADMIN'), tokenFor('SERVICE', 'orders')]) {
      expect((await loyaltyOf(ana, token)).data?._entities[0]?.loyalty?.points).toBe(500);
    }
    const stranger = newId('cus');
    const response = await loyaltyOf(stranger, asCustomer(stranger));
    expect(response.errors).toBeUndefined();
    expect(response.data?._entities[0]?.loyalty).toBeNull();
  });
});

describe('enrollLoyalty', () => {
  it('the customer themself, or staff for them (the channel is recorded); never another customer or an analyst', async () => {
    const carla = newId('cus');
    expect(errorCodes(await execute(url, ENROLL, { customerId: carla, channel: 'APP' }, asCustomer(ana)))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await execute(url, ENROLL, { customerId: carla, channel: 'APP' }, tokenFor('ANALYST')))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await execute(url, ENROLL, { customerId: carla, channel: 'APP' }))).toEqual(['UNAUTHENTICATED']);
    expect(await readLoyalty(url, carla)).toBeNull();

    const byAssociate = await execute<{ enrollLoyalty: { enrolledVia: string; points: number; tier: string } }>(url, ENROLL, { customerId: carla, channel: 'STORE' }, tokenFor('ASSOCIATE', 'a-2', 'MX-MTY-SANPEDRO'));
    expect(byAssociate.data?.enrollLoyalty).toEqual({ enrolledVia: 'STORE', points: 0, tier: 'BRONCE', lifetimePoints: 0 });
    const again = await execute<{ enrollLoyalty: { enrolledVia: string } }>(url, ENROLL, { customerId: carla, channel: 'APP' }, asCustomer(carla));
    expect(again.data?.enrollLoyalty.enrolledVia).toBe('STORE');
  });
});

describe('redeemPoints', () => {
  it('a customer may not spend another customer’s points', async () => {
    const response = await execute(url, REDEEM, { customerId: ana, points: 10, channel: 'APP', idempotencyKey: 'steal' }, asCustomer(beto));
    expect(errorCodes(response)).toEqual(['FORBIDDEN']);
    expect((await readLoyalty(url, ana))?.points).toBe(500);
  });

  it('analysts, admins and services may not redeem; without a token UNAUTHENTICATED', async () => {
    for (const token of [tokenFor('ANALYST'), tokenFor('ADMIN'), tokenFor('SERVICE', 'orders')]) {
      expect(errorCodes(await execute(url, REDEEM, { customerId: ana, points: 10, channel: 'WEB', idempotencyKey: 'nope' }, token))).toEqual(['FORBIDDEN']);
    }
    expect(errorCodes(await execute(url, REDEEM, { customerId: ana, points: 10, channel: 'WEB', idempotencyKey: 'nope' }))).toEqual(['UNAUTHENTICATED']);
    expect((await readLoyalty(url, ana))?.points).toBe(500);
  });

  it('an associate at the till and an agent on the phone redeem on the customer’s behalf; channel and actor are recorded', async () => {
    const atTill = await execute<{ redeemPoints: { points: number } }>(url, REDEEM, { customerId: beto, points: 40, channel: 'STORE', idempotencyKey: 'till-1' }, tokenFor('ASSOCIATE', 'associate-42', 'MX-CDMX-POLANCO'));
    const byPhone = await execute<{ redeemPoints: { points: number } }>(url, REDEEM, { customerId: beto, points: 60, channel: 'CALL_CENTER', idempotencyKey: 'call-1' }, tokenFor('AGENT', 'agent-17'));
    const own = await execute<{ redeemPoints: { points: number } }>(url, REDEEM, { customerId: beto, points: 100, channel: 'APP', idempotencyKey: 'app-1' }, asCustomer(beto));

    expect([atTill.data?.redeemPoints.points, byPhone.data?.redeemPoints.points, own.data?.redeemPoints.points]).toEqual([460, 400, 300]);
    const account = await readLoyalty(url, beto, asCustomer(beto));
    expect(account?.transactions.nodes.slice(0, 3).map(({ kind, points, channel }) => ({ kind, points, channel }))).toEqual([
      { kind: 'REDEEM', points: -100, channel: 'APP' },
      { kind: 'REDEEM', points: -60, channel: 'CALL_CENTER' },
      { kind: 'REDEEM', points: -40, channel: 'STORE' },
    ]);
    const actors = await fixture.program.ledger.collection.find({ customerId: beto, kind: 'REDEEM' }).sort({ at: 1 }).map((entry) => entry.actor).toArray();
    expect(actors).toEqual([
      { role: 'ASSOCIATE', sub: 'associate-42' },
      { role: 'AGENT', sub: 'agent-17' },
      { role: 'CUSTOMER', sub: beto },
    ]);
  });
});

describe('adjustPoints', () => {
  it('ADMIN only, with a reason that shows in the ledger', async () => {
    const dani = newId('cus');
    await memberWithPoints(url, dani, 0);
    for (const token of [asCustomer(dani), tokenFor('ASSOCIATE', 'a-3', 'MX-OAX-CENTRO'), tokenFor('AGENT'), tokenFor('ANALYST')]) {
      expect(errorCodes(await execute(url, ADJUST, { customerId: dani, points: 100, reason: 'regalo' }, token))).toEqual(['FORBIDDEN']);
    }

    const adjusted = await execute<{ adjustPoints: { points: number } }>(url, ADJUST, { customerId: dani, points: 100, reason: 'Compensación por pedido retrasado ZC-100234', idempotencyKey: 'ticket-881' }, tokenFor('ADMIN'));
    const repeated = await execute<{ adjustPoints: { points: number } }>(url, ADJUST, { customerId: dani, points: 100, reason: 'Compensación por pedido retrasado ZC-100234', idempotencyKey: 'ticket-881' }, tokenFor('ADMIN'));

    expect([adjusted.data?.adjustPoints.points, repeated.data?.adjustPoints.points]).toEqual([100, 100]);
    const account = await readLoyalty(url, dani, asCustomer(dani));
    expect(account?.transactions.nodes).toEqual([expect.objectContaining({ kind: 'ADJUST', points: 100, channel: 'CALL_CENTER', reason: 'Compensación por pedido retrasado ZC-100234' })]);
    expect(account?.lifetimePoints).toBe(0);
  });

  it('a reason is required, points must be non-zero, and a negative adjustment cannot overdraw', async () => {
    const eva = newId('cus');
    await memberWithPoints(url, eva, 30);
    const admin = tokenFor('ADMIN');
    expect(firstError(await execute(url, ADJUST, { customerId: eva, points: 10, reason: '   ' }, admin))).toMatchObject({ code: 'BAD_USER_INPUT', extensions: { field: 'reason' } });
    expect(firstError(await execute(url, ADJUST, { customerId: eva, points: 10, reason: 'x'.repeat(501) }, admin))).toMatchObject({ code: 'BAD_USER_INPUT', extensions: { field: 'reason' } });
    expect(firstError(await execute(url, ADJUST, { customerId: eva, points: 0, reason: 'nada' }, admin))).toMatchObject({ code: 'BAD_USER_INPUT', extensions: { field: 'points' } });
    expect(firstError(await execute(url, ADJUST, { customerId: eva, points: -31, reason: 'corrección' }, admin))).toMatchObject({ code: 'INSUFFICIENT_POINTS', extensions: { balance: 30 } });
    expect((await execute<{ adjustPoints: { points: number } }>(url, ADJUST, { customerId: eva, points: -30, reason: 'corrección' }, admin)).data?.adjustPoints.points).toBe(0);
    expect(errorCodes(await execute(url, ADJUST, { customerId: newId('cus'), points: 5, reason: 'sin cuenta' }, admin))).toEqual(['NOT_FOUND']);
  });
});

describe('Order.pointsEarned', () => {
  it('the customer sees their own order’s points, 0 for anyone else’s; analysts are refused; a token is required', async () => {
    const placed = orderPlaced(ana, 180_000);
    await fixture.handlers.OrderPlaced(placed);
    const representations = [{ __typename: 'Order', id: placed.payload.orderId }];
    const ask = (token?: string) => execute<{ _entities: ({ pointsEarned: number } | null)[] }>(url, ORDER_POINTS, { representations }, token);

    expect((await ask(asCustomer(ana))).data?._entities[0]?.pointsEarned).toBe(180);
    expect((await ask(tokenFor('ASSOCIATE', 'a-1', 'MX-CDMX-CENTRO'))).data?._entities[0]?.pointsEarned).toBe(180);
    expect((await ask(asCustomer(beto))).data?._entities[0]?.pointsEarned).toBe(0);
    expect(errorCodes(await ask(tokenFor('ANALYST')))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await ask())).toEqual(['UNAUTHENTICATED']);
    const unknown = await execute<{ _entities: { pointsEarned: number }[] }>(url, ORDER_POINTS, { representations: [{ __typename: 'Order', id: 'ord_unknown' }] }, tokenFor('AGENT'));
    expect(unknown.data?._entities[0]?.pointsEarned).toBe(0);
  });
});

describe('LoyaltyAccount.transactions', () => {
  it('pages newest first with a cursor, without overlap, and bounds `first`', async () => {
    const fer = newId('cus');
    await memberWithPoints(url, fer, 0);
    for (let i = 1; i <= 25; i += 1) await fixture.handlers.OrderPlaced(orderPlaced(fer, i * 1_000));

    const seen: { id: string; at: string; points: number }[] = [];
    let after: string | undefined;
    const pageSizes: number[] = [];
    for (;;) {
      const page = (await readLoyalty(url, fer, asCustomer(fer), 10, after))?.transactions;
      if (!page) throw new Error('no transactions');
      expect(page.totalCount).toBe(25);
      pageSizes.push(page.nodes.length);
      seen.push(...page.nodes);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor ?? undefined;
    }
    expect(pageSizes).toEqual([10, 10, 5]);
    const all = (await readLoyalty(url, fer, asCustomer(fer), 100))?.transactions.nodes ?? [];
    expect(seen.map((node) => node.id)).toEqual(all.map((node) => node.id));
    expect(new Set(seen.map((node) => node.id)).size).toBe(25);
    expect(seen.map((node) => node.points).sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    const times = seen.map((node) => Date.parse(node.at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(seen[0]?.points).toBe(25);

    for (const [variables, field] of [[{ first: 101 }, 'first'], [{ first: 0 }, 'first'], [{ after: 'not-a-cursor' }, 'after']] as const) {
      const response = await execute(url, CUSTOMER_LOYALTY, { representations: [{ __typename: 'Customer', id: fer }], ...variables }, asCustomer(fer));
      expect(firstError(response)).toMatchObject({ code: 'BAD_USER_INPUT', extensions: { field } });
    }
  });
});
