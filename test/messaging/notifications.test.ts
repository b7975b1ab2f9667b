/**
 * Reactions to domain events, called directly with events made by `createDomainEvent` (delivery is the
 * relay's business): order notices at most once however often (and however concurrently) their event
 * arrives, on the customer's preferred consented channel, in Spanish with the order number and store;
 * merges re-point everything once; erasure removes bodies and addresses but keeps the facts.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createDomainEvent, type DomainEvent } from '../../subgraphs/kit/src';
import { errorCodes } from '../support/testkit';
import { dataOf, orderPlaced, startMessaging, token, type MessagingUnderTest } from './messagingTestkit';

let messaging: MessagingUnderTest;

const NOTIFICATIONS = /* GraphQL */ `query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { id notifications { id template channel deliveryStatus sentAt } } } }`;
interface NoticeView { id: string; template: string; channel: string; deliveryStatus: string; sentAt: string }

const noticesOf = async (orderId: string, as?: string) =>
  dataOf(await messaging.run<{ _entities: { notifications: NoticeView[] }[] }>(NOTIFICATIONS, { r: [{ __typename: 'Order', id: orderId }] }, as))._entities[0]?.notifications ?? [];
const outgoingOf = (customerId: string) => messaging.outbox.collection.find({ 'recipient.customerId': customerId }).sort({ createdAt: 1 }).toArray();
const optIn = (customerId: string, channel: 'WHATSAPP' | 'SMS' | 'EMAIL' | 'APP', optedIn = true) =>
  messaging.services.preferences.set({ customerId, channel, optedIn, via: 'WEB', by: customerId, byRole: 'CUSTOMER' });
const deliver = (event: DomainEvent) => {
  const handler = messaging.handlers[event.type] as ((e: DomainEvent) => Promise<void>) | undefined;
  if (!handler) throw new Error(`no handler for ${event.type}`);
  return handler(event);
};

beforeAll(async () => {
  messaging = await startMessaging('zocalo_messaging_notifications_test');
});

afterAll(async () => {
  await messaging?.stop();
});

describe('OrderPlaced → ORDER_CONFIRMATION', () => {
  const CUSTOMER = 'cus_notice01';
  const ORDER = 'ord_notice01';

  it('is sent once on the preferred consented channel although the event arrives 3 times, then 3 times at once', async () => {
    await optIn(CUSTOMER, 'SMS');
    await optIn(CUSTOMER, 'WHATSAPP');
    await optIn(CUSTOMER, 'EMAIL');
    const event = orderPlaced({ orderId: ORDER, customerId: CUSTOMER, number: 'ZC-400001', totalCents: 189_950 });
    for (let i = 0; i < 3; i += 1) await deliver(event);
    await Promise.all([deliver(event), deliver(event), deliver({ ...event, id: 'evt_redelivered-copy' })]);

    const outgoing = await outgoingOf(CUSTOMER);
    expect(outgoing).toHaveLength(1);
    expect(outgoing[0]?.channel).toBe('WHATSAPP');
    expect(outgoing[0]?.body).toBe('Zócalo: recibimos tu pedido ZC-400001 por $1,899.50 MXN. Te avisaremos cuando esté listo para recoger en Zócalo Polanco.');
    expect(await messaging.services.repositories.notifications.collection.countDocuments({ orderId: ORDER })).toBe(1);
    expect(await messaging.services.repositories.messages.collection.countDocuments({ customerId: CUSTOMER })).toBe(1);
    expect(await noticesOf(ORDER)).toEqual([expect.objectContaining({ template: 'ORDER_CONFIRMATION', channel: 'WHATSAPP', deliveryStatus: 'SENT' })]);
  });

  it('is 3 concurrent first deliveries → still one notice', async () => {
    const customerId = 'cus_notice02';
    await optIn(customerId, 'SMS');
    const event = orderPlaced({ orderId: 'ord_notice02', customerId, number: 'ZC-400002' });
    await Promise.all([deliver(event), deliver(event), deliver(event)]);
    expect(await outgoingOf(customerId)).toHaveLength(1);
    expect(await messaging.services.repositories.notifications.collection.countDocuments({ orderId: 'ord_notice02' })).toBe(1);
  });

  it('appears in the conversation about the order, and the customer sees the notice (others may not)', async () => {
    const conversation = await messaging.services.repositories.conversations.findActive(`${CUSTOMER}:order:${ORDER}`);
    expect(conversation).toMatchObject({ subject: 'Pedido ZC-400001', channels: ['WHATSAPP'], messageCount: 1 });
    expect(await noticesOf(ORDER, token('CUSTOMER', CUSTOMER))).toHaveLength(1);
    expect(errorCodes(await messaging.run(NOTIFICATIONS, { r: [{ __typename: 'Order', id: ORDER }] }, token('CUSTOMER', 'cus_notice99')))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await messaging.run(NOTIFICATIONS, { r: [{ __typename: 'Order', id: ORDER }] }, token('ANALYST')))).toEqual(['FORBIDDEN']);
  });

  it('follows the provider: a DELIVERED report shows on Order.notifications', async () => {
    const [outgoing] = await outgoingOf(CUSTOMER);
    expect(await messaging.outbox.reportStatus(outgoing?._id ?? '', 'DELIVERED')).toBe(true);
    expect((await noticesOf(ORDER))[0]?.deliveryStatus).toBe('DELIVERED');
  });

  it('uses the full text on e-mail when that is the only opt-in', async () => {
    const customerId = 'cus_notice03';
    await optIn(customerId, 'EMAIL');
    await optIn(customerId, 'WHATSAPP', false);
    await deliver(orderPlaced({ orderId: 'ord_notice03', customerId, number: 'ZC-400003', method: 'SHIP_TO_HOME', locationId: 'MX-WH-TEPOTZOTLAN' }));
    const [mail] = await outgoingOf(customerId);
    expect(mail?.channel).toBe('EMAIL');
    expect(mail?.body).toContain('Asunto: Confirmación de tu pedido ZC-400003');
    expect(mail?.body).toContain('Hola:');
    // No name for this location in the directory: the notice names its id rather than failing.
    expect(mail?.body).toContain('MX-WH-TEPOTZOTLAN');
  });

  it('without any opt-in goes to the channel the order was placed through when it can carry messages (the app)', async () => {
    await deliver(orderPlaced({ orderId: 'ord_notice04', customerId: 'cus_notice04', number: 'ZC-400004', channel: 'APP' }));
    expect((await outgoingOf('cus_notice04')).map((o) => o.channel)).toEqual(['APP']);
  });

  it('without any opt-in and a web order, nothing is sent, and redelivery does not try again', async () => {
    const event = orderPlaced({ orderId: 'ord_notice05', customerId: 'cus_notice05', number: 'ZC-400005', channel: 'WEB' });
    await deliver(event);
    await optIn('cus_notice05', 'SMS');
    await deliver(event);
    expect(await outgoingOf('cus_notice05')).toEqual([]);
    expect(await messaging.services.repositories.notifications.findById('ord_notice05:ORDER_CONFIRMATION')).toMatchObject({ status: 'SKIPPED', skipReason: 'NO_CONSENTED_CHANNEL' });
    expect(await noticesOf('ord_notice05')).toEqual([]);
  });
});

describe('the consumer endpoint the relays push to', () => {
  it('runs the same handlers: an OrderPlaced pushed twice to /internal/events sends one confirmation', async () => {
    const event = orderPlaced({ orderId: 'ord_notice06', customerId: 'cus_notice06', number: 'ZC-400006', channel: 'WHATSAPP' });
    const push = () => fetch(messaging.url.replace(/\/graphql$/, '/internal/events'), {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token('SERVICE', 'orders')}` }, body: JSON.stringify(event),
    });
    expect((await push()).status).toBe(200);
    expect((await push()).status).toBe(200);
    expect((await outgoingOf('cus_notice06')).map((o) => o.channel)).toEqual(['WHATSAPP']);
  });
});

describe('OrderReadyForPickup and OrderReturned', () => {
  const CUSTOMER = 'cus_notice10';
  const ORDER = 'ord_notice10';

  beforeAll(async () => {
    await optIn(CUSTOMER, 'SMS');
    await deliver(orderPlaced({ orderId: ORDER, customerId: CUSTOMER, number: 'ZC-400010', locationId: 'MX-OAX-CENTRO' }));
  });

  it('READY_FOR_PICKUP names the order and the pickup store, once', async () => {
    const ready = createDomainEvent('OrderReadyForPickup', 'orders', ORDER, { orderId: ORDER, number: 'ZC-400010', customerId: CUSTOMER, locationId: 'MX-OAX-CENTRO' });
    await Promise.all([deliver(ready), deliver(ready)]);
    await deliver(ready);
    const bodies = (await outgoingOf(CUSTOMER)).map((o) => o.body);
    expect(bodies).toHaveLength(2);
    expect(bodies[1]).toBe('Zócalo: tu pedido ZC-400010 ya está listo para recoger en Zócalo Oaxaca Centro. Presenta el número ZC-400010 y una identificación.');
  });

  it('RETURN_RECEIVED once per return: two returns, each delivered twice → two notices', async () => {
    const returned = (returnId: string, refundCents: number) =>
      createDomainEvent('OrderReturned', 'orders', ORDER, {
        orderId: ORDER, number: 'ZC-400010', customerId: CUSTOMER, returnId, channel: 'STORE', locationId: 'MX-CDMX-POLANCO',
        lines: [{ sku: 'ZC-ROPA-0001', quantity: 1, unitPriceCents: refundCents }], refundCents, orderTotalCents: 259_800,
      });
    const first = returned('ret_notice10a', 129_900);
    const second = returned('ret_notice10b', 45_000);
    await Promise.all([deliver(first), deliver(first), deliver(second)]);
    await deliver(second);
    const notices = await noticesOf(ORDER);
    expect(notices.map((n) => n.template)).toEqual(['ORDER_CONFIRMATION', 'READY_FOR_PICKUP', 'RETURN_RECEIVED', 'RETURN_RECEIVED']);
    const bodies = (await outgoingOf(CUSTOMER)).map((o) => o.body ?? '');
    expect(bodies.filter((b) => b.includes('devolución'))).toEqual(expect.arrayContaining([
      'Zócalo: recibimos en Zócalo Polanco la devolución de tu pedido ZC-400010. Reembolso: $1,299.00 MXN.',
      'Zócalo: recibimos en Zócalo Polanco la devolución de tu pedido ZC-400010. Reembolso: $450.00 MXN.',
    ]));
  });
});

describe('CustomerMerged', () => {
  const SURVIVOR = 'cus_merge01';
  const DUPLICATE = 'cus_merge02';

  it('re-points conversations, messages, consent and history to the survivor, once; the survivor keeps its own consent', async () => {
    const log = (customerId: string, body: string, orderId?: string) => messaging.services.interactions.record({
      customerId, channel: 'WHATSAPP', direction: 'INBOUND', body, conversationId: null, orderId: orderId ?? null, idempotencyKey: null, author: 'customer',
    });
    const survivorGeneral = await log(SURVIVOR, 'Hola, soy yo');
    const duplicateGeneral = await log(DUPLICATE, 'Hola, soy yo desde otro número');
    const duplicateOrder = await log(DUPLICATE, '¿Y mi pedido?', 'ord_merge02');
    await optIn(SURVIVOR, 'WHATSAPP', true);
    await optIn(DUPLICATE, 'WHATSAPP', false);
    await optIn(DUPLICATE, 'EMAIL', true);

    const merged = createDomainEvent('CustomerMerged', 'customers', SURVIVOR, { survivorId: SURVIVOR, duplicateId: DUPLICATE });
    await Promise.all([deliver(merged), deliver(merged)]);
    await deliver(merged);

    const { conversations, messages, preferences, history } = messaging.services.repositories;
    expect(await conversations.collection.countDocuments({ customerId: DUPLICATE })).toBe(0);
    expect(await messages.collection.countDocuments({ customerId: DUPLICATE })).toBe(0);
    expect(await messages.collection.countDocuments({ customerId: SURVIVOR })).toBe(3);
    expect((await preferences.findForCustomers([SURVIVOR])).map((p) => [p.channel, p.optedIn]).sort()).toEqual([['EMAIL', true], ['WHATSAPP', true]]);
    expect(await preferences.findForCustomers([DUPLICATE])).toEqual([]);
    expect(await history.collection.countDocuments({ customerId: SURVIVOR })).toBe(3);
    // Both general conversations are the survivor's; the survivor's own keeps being continued.
    expect(await conversations.findById(duplicateGeneral._id)).toMatchObject({ customerId: SURVIVOR, status: 'OPEN', mergedFrom: [DUPLICATE] });
    expect((await conversations.findActive(`${SURVIVOR}:general`))?._id).toBe(survivorGeneral._id);
    expect((await conversations.findActive(`${SURVIVOR}:order:ord_merge02`))?._id).toBe(duplicateOrder._id);

    const listed = dataOf(await messaging.run<{ _entities: { conversations: { id: string }[] }[] }>(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { conversations { id } } } }`, { r: [{ __typename: 'Customer', id: SURVIVOR }] }, token('CUSTOMER', SURVIVOR)));
    expect(listed._entities[0]?.conversations.map((c) => c.id).sort()).toEqual([survivorGeneral._id, duplicateGeneral._id, duplicateOrder._id].sort());
  });
});

describe('CustomerErased', () => {
  const CUSTOMER = 'cus_erase01';

  it('removes message bodies, subjects and addresses; keeps the facts that messages were sent', async () => {
    await optIn(CUSTOMER, 'SMS');
    await messaging.services.interactions.record({ customerId: CUSTOMER, channel: 'WHATSAPP', direction: 'INBOUND', body: 'Mi dirección es Calle Morelos 12', conversationId: null, orderId: null, idempotencyKey: null, author: 'customer' });
    await deliver(orderPlaced({ orderId: 'ord_erase01', customerId: CUSTOMER, number: 'ZC-400020' }));
    expect(await outgoingOf(CUSTOMER)).toHaveLength(1);

    const erased = createDomainEvent('CustomerErased', 'customers', CUSTOMER, { customerId: CUSTOMER });
    await deliver(erased);
    await deliver(erased);

    const messages = await messaging.services.repositories.messages.collection.find({ customerId: CUSTOMER }).toArray();
    expect(messages).toHaveLength(2);
    for (const message of messages) expect(message).toMatchObject({ body: null, erasedAt: expect.any(Date) });
    expect(messages.map((m) => m.channel).sort()).toEqual(['SMS', 'WHATSAPP']);
    const [outgoing] = await outgoingOf(CUSTOMER);
    expect(outgoing).toMatchObject({ body: null, recipient: { customerId: CUSTOMER, address: null }, status: 'SENT' });
    const conversations = await messaging.services.repositories.conversations.findAllOfCustomer(CUSTOMER);
    expect(conversations.find((c) => c.orderId === null)?.subject).toBeNull();
    expect(await messaging.services.repositories.preferences.findForCustomers([CUSTOMER])).toEqual([]);
    // The notice of the order still shows it was sent.
    expect(await noticesOf('ord_erase01')).toEqual([expect.objectContaining({ template: 'ORDER_CONFIRMATION', channel: 'SMS' })]);
    const view = dataOf(await messaging.run<{ _entities: { conversations: { messages: { nodes: { body: string | null; channel: string }[] } }[] }[] }>(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { conversations { messages { nodes { body channel } } } } } }`, { r: [{ __typename: 'Customer', id: CUSTOMER }] }));
    expect(view._entities[0]?.conversations.flatMap((c) => c.messages.nodes)).toEqual(expect.arrayContaining([{ body: null, channel: 'WHATSAPP' }, { body: null, channel: 'SMS' }]));
  });
});
