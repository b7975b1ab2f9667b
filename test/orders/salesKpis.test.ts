/**
 * `salesKpis` on a small dataset written by the orders seed, with every expected figure worked out by
 * hand below. Also checks what the seed writes (no pending events, the members projection, the
 * order-number counter above the seeded numbers).
 *
 * Period [2026-10-01, 2026-11-01). Customers: ANA (member since January), BETO (member since
 * 20 October: before the end of the period, so a member), CARMEN (never enrolled), DIEGO (enrols in
 * December: not a member of this period).
 *
 *   #  customer channel status              lines (qty × price, returned)        total    refund  net
 *   1  ANA      WEB     COMPLETED           2 × 1000.00, 1 × 500.00             2500.00      0   2500.00
 *   2  ANA      STORE   COMPLETED           1 × 1000.00                         1000.00      0   1000.00
 *   3  BETO     WEB     PARTIALLY_RETURNED  4 × 250.00 (1 returned)             1000.00  250.00  750.00
 *   4  CARMEN   STORE   RETURNED            2 × 500.00 (2 returned)             1000.00 1000.00    0.00
 *   5  CARMEN   STORE   COMPLETED           1 × 300.00                           300.00      0    300.00
 *   6  DIEGO    APP     PLACED              1 × 700.00                           700.00      0    700.00
 *   7  DIEGO    WEB     CANCELLED           1 × 900.00          — not a sale, left out everywhere
 *   8  ANA      WEB     2026-09-30T23:59:59Z — before the period
 *   9  CARMEN   APP     2026-11-01T00:00:00Z — the end is exclusive
 *
 * byChannel (enum order WEB, APP, STORE):
 *   WEB   orders 2 (#1, #3)  revenue 3250.00  AOV 1625.00  returned/sold units 1/7
 *   APP   orders 1 (#6)      revenue  700.00  AOV  700.00  0/1 = 0
 *   STORE orders 3 (#2,#4,#5) revenue 1300.00 AOV  433.33  2/4 = 0.5
 * crossChannelCustomerShare: ANA bought on WEB and STORE; BETO, CARMEN, DIEGO in one channel → 1/4.
 * loyaltyMembers: ANA, BETO — 3 orders, net 4250.00 → AOV 1416.67.
 * nonMembers: CARMEN, DIEGO — 3 orders, net 1000.00 → AOV 333.33.
 * Members do spend more per order here, as seed 004 says they should.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { errorCodes, execute, tokenFor } from '../support/testkit';
import { GUAYABERA, JARRO, MEZCAL, demoOrder, startOrdersTestEstate, type OrdersTestEstate } from './ordersTestEstate';

let estate: OrdersTestEstate;

const ANA = 'cus_kpi_ana';
const BETO = 'cus_kpi_beto';
const CARMEN = 'cus_kpi_carmen';
const DIEGO = 'cus_kpi_diego';

beforeAll(async () => {
  estate = await startOrdersTestEstate('kpis', {
    inventory: false,
    orders: [
      demoOrder({ id: 'ord_kpi_1', number: 'ZC-300001', customerId: ANA, channel: 'WEB', lines: [[GUAYABERA, 2, 100_000], [JARRO, 1, 50_000]], placedAt: '2026-10-01T00:00:00Z' }),
      demoOrder({ id: 'ord_kpi_2', number: 'ZC-300002', customerId: ANA, channel: 'STORE', lines: [[GUAYABERA, 1, 100_000]], placedAt: '2026-10-05T12:00:00Z', method: 'IN_STORE_PURCHASE', locationId: 'MX-CDMX-CENTRO' }),
      demoOrder({ id: 'ord_kpi_3', number: 'ZC-300003', customerId: BETO, channel: 'WEB', status: 'PARTIALLY_RETURNED', lines: [[MEZCAL, 4, 25_000, 1]], placedAt: '2026-10-10T12:00:00Z' }),
      demoOrder({ id: 'ord_kpi_4', number: 'ZC-300004', customerId: CARMEN, channel: 'STORE', status: 'RETURNED', lines: [[JARRO, 2, 50_000, 2]], placedAt: '2026-10-15T12:00:00Z', method: 'IN_STORE_PURCHASE', locationId: 'MX-GDL-CHAPULTEPEC' }),
      demoOrder({ id: 'ord_kpi_5', number: 'ZC-300005', customerId: CARMEN, channel: 'STORE', lines: [[MEZCAL, 1, 30_000]], placedAt: '2026-10-20T12:00:00Z', method: 'IN_STORE_PURCHASE', locationId: 'MX-GDL-CHAPULTEPEC' }),
      demoOrder({ id: 'ord_kpi_6', number: 'ZC-300006', customerId: DIEGO, channel: 'APP', status: 'PLACED', lines: [[GUAYABERA, 1, 70_000]], placedAt: '2026-10-31T23:59:59Z' }),
      demoOrder({ id: 'ord_kpi_7', number: 'ZC-300007', customerId: DIEGO, channel: 'WEB', status: 'CANCELLED', lines: [[GUAYABERA, 1, 90_000]], placedAt: '2026-10-25T12:00:00Z' }),
      demoOrder({ id: 'ord_kpi_8', number: 'ZC-300008', customerId: ANA, channel: 'WEB', lines: [[GUAYABERA, 1, 500_000]], placedAt: '2026-09-30T23:59:59Z' }),
      demoOrder({ id: 'ord_kpi_9', number: 'ZC-300009', customerId: CARMEN, channel: 'APP', lines: [[GUAYABERA, 1, 500_000]], placedAt: '2026-11-01T00:00:00Z' }),
    ],
    loyaltyMembers: [
      { customerId: ANA, enrolledAt: new Date('2026-01-15T00:00:00Z'), enrolledVia: 'STORE' },
      { customerId: BETO, enrolledAt: new Date('2026-10-20T00:00:00Z'), enrolledVia: 'APP' },
      { customerId: DIEGO, enrolledAt: new Date('2026-12-01T00:00:00Z'), enrolledVia: 'WEB' },
    ],
  });
});

afterAll(async () => {
  await estate?.stop();
});

const KPIS = `query Kpis($from: DateTime!, $to: DateTime!) { salesKpis(from: $from, to: $to) {
  from to
  byChannel { channel orders revenue { amount currency } averageOrderValue { amount } returnRate }
  crossChannelCustomerShare
  loyaltyMembers { customers orders averageOrderValue { amount } }
  nonMembers { customers orders averageOrderValue { amount } } } }`;

interface Kpis {
  from: string;
  to: string;
  byChannel: { channel: string; orders: number; revenue: { amount: string; currency: string }; averageOrderValue: { amount: string }; returnRate: number }[];
  crossChannelCustomerShare: number;
  loyaltyMembers: { customers: number; orders: number; averageOrderValue: { amount: string } };
  nonMembers: { customers: number; orders: number; averageOrderValue: { amount: string } };
}

describe('salesKpis', () => {
  it('matches the figures worked out by hand', async () => {
    const response = await execute<{ salesKpis: Kpis }>(url(), KPIS, { from: '2026-10-01T00:00:00Z', to: '2026-11-01T00:00:00Z' }, tokenFor('ANALYST'));

    expect(response.errors).toBeUndefined();
    const kpis = response.data?.salesKpis as Kpis;
    expect(kpis.from).toBe('2026-10-01T00:00:00.000Z');
    expect(kpis.byChannel.map(({ returnRate: _rate, ...rest }) => rest)).toEqual([
      { channel: 'WEB', orders: 2, revenue: { amount: '3250.00', currency: 'MXN' }, averageOrderValue: { amount: '1625.00' } },
      { channel: 'APP', orders: 1, revenue: { amount: '700.00', currency: 'MXN' }, averageOrderValue: { amount: '700.00' } },
      { channel: 'STORE', orders: 3, revenue: { amount: '1300.00', currency: 'MXN' }, averageOrderValue: { amount: '433.33' } },
    ]);
    expect(kpis.byChannel[0]?.returnRate).toBeCloseTo(1 / 7, 10);
    expect(kpis.byChannel[1]?.returnRate).toBe(0);
    expect(kpis.byChannel[2]?.returnRate).toBeCloseTo(0.5, 10);
    expect(kpis.crossChannelCustomerShare).toBeCloseTo(0.25, 10);
    expect(kpis.loyaltyMembers).toEqual({ customers: 2, orders: 3, averageOrderValue: { amount: '1416.67' } });
    expect(kpis.nonMembers).toEqual({ customers: 2, orders: 3, averageOrderValue: { amount: '333.33' } });
  });

  it('an empty period is all zeros, and a reversed period is BAD_USER_INPUT', async () => {
    const empty = await execute<{ salesKpis: Kpis }>(url(), KPIS, { from: '2020-01-01T00:00:00Z', to: '2020-02-01T00:00:00Z' }, tokenFor('ADMIN'));
    const reversed = await execute(url(), KPIS, { from: '2026-11-01T00:00:00Z', to: '2026-10-01T00:00:00Z' }, tokenFor('ANALYST'));

    expect(empty.data?.salesKpis).toMatchObject({
      byChannel: [],
      crossChannelCustomerShare: 0,
      loyaltyMembers: { customers: 0, orders: 0, averageOrderValue: { amount: '0.00' } },
      nonMembers: { customers: 0, orders: 0, averageOrderValue: { amount: '0.00' } },
    });
    expect(errorCodes(reversed)).toEqual(['BAD_USER_INPUT']);
  });
});

describe('the orders seed', () => {
  it('writes orders without pending events, the members projection, and the counter above the seeded numbers', async () => {
    const orders = estate.orders.store.collection('orders');
    expect(await orders.countDocuments({})).toBe(9);
    expect(await orders.countDocuments({ 'pendingEvents.0': { $exists: true } })).toBe(0);
    expect(await orders.findOne({ _id: 'ord_kpi_3' as never })).toMatchObject({ soldUnits: 4, returnedUnits: 1, refundedCents: 25_000, reservation: 'COMMITTED' });
    expect(await estate.orders.store.collection('loyaltyMembers').countDocuments({})).toBe(3);
    expect(await estate.orders.store.collection('counters').findOne({ _id: 'orderNumber' as never })).toMatchObject({ value: 300_009 });
  });
});

function url(): string {
  return estate.orders.url;
}
