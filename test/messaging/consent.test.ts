/**
 * Consent before any message leaves: CONSENT_REQUIRED records nothing as sent; an opt-in lets the same
 * message go; the history shows both changes. Sending is idempotent by key, also under concurrency;
 * service and marketing messages need different consent; delivery status updates move forward only.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { errorCodes } from '../support/testkit';
import { dataOf, startMessaging, token, type MessagingUnderTest } from './messagingTestkit';

let messaging: MessagingUnderTest;

const SEND = /* GraphQL */ `mutation Send($input: SendMessageInput!) { sendMessage(input: $input) { id channel direction body author deliveryStatus kind conversationId } }`;
const SET = /* GraphQL */ `mutation Set($customerId: ID!, $channel: Channel!, $optedIn: Boolean!, $via: Channel!) {
  setContactPreference(customerId: $customerId, channel: $channel, optedIn: $optedIn, via: $via) { channel optedIn updatedVia updatedAt } }`;
const CONSENT = /* GraphQL */ `query Consent($r: [_Any!]!, $channel: Channel) { _entities(representations: $r) { ... on Customer {
  contactPreferences { channel optedIn updatedVia }
  contactPreferenceHistory(channel: $channel) { channel previousOptedIn optedIn via changedBy changedAt }
  conversations { id channels messages { nodes { id channel body } } } } } }`;

interface SentMessage { id: string; channel: string; direction: string; body: string; author: string; deliveryStatus: string; kind: string; conversationId: string }

const outgoingOf = (customerId: string) => messaging.outbox.collection.find({ 'recipient.customerId': customerId }).toArray();
const send = (input: Record<string, unknown>, as = token('AGENT', 'agent-7')) => messaging.run<{ sendMessage: SentMessage }>(SEND, { input }, as);

beforeAll(async () => {
  messaging = await startMessaging('zocalo_messaging_consent_test');
});

afterAll(async () => {
  await messaging?.stop();
});

describe('consent', () => {
  const CUSTOMER = 'cus_consent01';
  const customer = token('CUSTOMER', CUSTOMER);
  const message = { customerId: CUSTOMER, channel: 'SMS', body: 'Tu cita de ajuste es el sábado a las 11:00 en Zócalo Polanco.', idempotencyKey: 'agent-7-sms-0001' };

  it('with SMS opted out, sendMessage is refused with CONSENT_REQUIRED and nothing is recorded as sent', async () => {
    const optOut = dataOf(await messaging.run<{ setContactPreference: { optedIn: boolean } }>(SET, { customerId: CUSTOMER, channel: 'SMS', optedIn: false, via: 'APP' }, customer));
    expect(optOut.setContactPreference).toMatchObject({ channel: 'SMS', optedIn: false, updatedVia: 'APP' });

    const refused = await send(message);
    expect(errorCodes(refused)).toEqual(['CONSENT_REQUIRED']);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ channel: 'SMS' });
    expect(await outgoingOf(CUSTOMER)).toEqual([]);
    expect(await messaging.services.repositories.messages.collection.countDocuments({ customerId: CUSTOMER })).toBe(0);
  });

  it('after the customer opts in (told to an agent on the phone), the same message is sent', async () => {
    dataOf(await messaging.run(SET, { customerId: CUSTOMER, channel: 'SMS', optedIn: true, via: 'CALL_CENTER' }));
    const sent = dataOf(await send(message)).sendMessage;
    expect(sent).toMatchObject({ channel: 'SMS', direction: 'OUTBOUND', body: message.body, author: 'agent-7', deliveryStatus: 'SENT', kind: 'SERVICE' });
    const outgoing = await outgoingOf(CUSTOMER);
    expect(outgoing).toHaveLength(1);
    expect(outgoing[0]).toMatchObject({ messageId: sent.id, channel: 'SMS', body: message.body, status: 'SENT', recipient: { customerId: CUSTOMER, address: null } });
  });

  it('the preference history shows both changes (who, when, via which channel, old → new); the customer sees it', async () => {
    const customerView = dataOf(await messaging.run<{ _entities: { contactPreferences: unknown[]; contactPreferenceHistory: { changedAt: string }[]; conversations: { channels: string[]; messages: { nodes: { body: string }[] } }[] }[] }>(
      CONSENT, { r: [{ __typename: 'Customer', id: CUSTOMER }], channel: 'SMS' }, customer))._entities[0];
    expect(customerView?.contactPreferences).toEqual([{ channel: 'SMS', optedIn: true, updatedVia: 'CALL_CENTER' }]);
    expect(customerView?.contactPreferenceHistory).toEqual([
      expect.objectContaining({ channel: 'SMS', previousOptedIn: false, optedIn: true, via: 'CALL_CENTER', changedBy: 'agent-7' }),
      expect.objectContaining({ channel: 'SMS', previousOptedIn: null, optedIn: false, via: 'APP', changedBy: 'customer' }),
    ]);
    const [newest, oldest] = customerView?.contactPreferenceHistory ?? [];
    expect(Date.parse(newest?.changedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(oldest?.changedAt ?? ''));
    // The sent message is in the customer's conversation.
    expect(customerView?.conversations[0]).toMatchObject({ channels: ['SMS'], messages: { nodes: [{ body: message.body }] } });
  });

  it('concurrent changes each record their true predecessor', async () => {
    const CONCURRENT = 'cus_consent02';
    const values = [true, false, true, false, true, false, true, false];
    await Promise.all(values.map((optedIn) => messaging.run(SET, { customerId: CONCURRENT, channel: 'EMAIL', optedIn, via: 'WEB' })));
    const history = await messaging.services.repositories.history.collection.find({ customerId: CONCURRENT }).toArray();
    expect(history).toHaveLength(values.length);
    const byVersion = history.sort((a, b) => Number(a._id.split(':').pop()) - Number(b._id.split(':').pop()));
    for (let i = 1; i < byVersion.length; i += 1) expect(byVersion[i]?.previousOptedIn).toBe(byVersion[i - 1]?.optedIn);
    expect(byVersion[0]?.previousOptedIn).toBeNull();
    const current = await messaging.services.repositories.preferences.findOne(CONCURRENT, 'EMAIL');
    expect(current?.optedIn).toBe(byVersion[byVersion.length - 1]?.optedIn);
  });

  it('refuses consent on channels that carry no messages and checks who may set it', async () => {
    expect((await messaging.run(SET, { customerId: CUSTOMER, channel: 'STORE', optedIn: true, via: 'STORE' })).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'channel' });
    expect(errorCodes(await messaging.run(SET, { customerId: CUSTOMER, channel: 'SMS', optedIn: false, via: 'APP' }, token('CUSTOMER', 'cus_other')))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await messaging.run(SET, { customerId: CUSTOMER, channel: 'SMS', optedIn: false, via: 'APP' }, token('ANALYST')))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await messaging.run(SET, { customerId: CUSTOMER, channel: 'SMS', optedIn: false, via: 'APP' }, null))).toEqual(['UNAUTHENTICATED']);
  });
});

describe('service and marketing messages', () => {
  const CUSTOMER = 'cus_consent10';
  const ORDER = 'ord_consent10';

  beforeAll(async () => {
    await messaging.services.repositories.orderChannels.record({
      _id: ORDER, customerId: CUSTOMER, channel: 'WHATSAPP', number: 'ZC-310001', locationId: 'MX-OAX-CENTRO', fulfillmentMethod: 'PICKUP_IN_STORE', placedAt: new Date(), recordedAt: new Date(),
    });
  });

  it('a SERVICE message about an order may go to the channel the order was placed through, without an opt-in', async () => {
    const sent = dataOf(await send({ customerId: CUSTOMER, channel: 'WHATSAPP', body: 'Tu pedido ZC-310001 se retrasa un día.', orderId: ORDER, idempotencyKey: 'service-order-channel' })).sendMessage;
    expect(sent).toMatchObject({ channel: 'WHATSAPP', deliveryStatus: 'SENT', kind: 'SERVICE' });
  });

  it('but not to another channel, not without the order, and never as MARKETING', async () => {
    expect(errorCodes(await send({ customerId: CUSTOMER, channel: 'SMS', body: 'Tu pedido se retrasa.', orderId: ORDER, idempotencyKey: 'service-other-channel' }))).toEqual(['CONSENT_REQUIRED']);
    expect(errorCodes(await send({ customerId: CUSTOMER, channel: 'WHATSAPP', body: 'Hola', idempotencyKey: 'service-no-order' }))).toEqual(['CONSENT_REQUIRED']);
    expect(errorCodes(await send({ customerId: CUSTOMER, channel: 'WHATSAPP', body: '¡20% en huaraches!', orderId: ORDER, kind: 'MARKETING', idempotencyKey: 'marketing-order-channel' }))).toEqual(['CONSENT_REQUIRED']);
  });

  it('a channel the customer wrote on about the order counts as used for it', async () => {
    dataOf(await messaging.run(`mutation($input: InteractionInput!) { logInteraction(input: $input) { id } }`, {
      input: { customerId: CUSTOMER, channel: 'EMAIL', direction: 'INBOUND', body: '¿Puedo cambiar la tienda de recogida?', orderId: ORDER },
    }, token('CUSTOMER', CUSTOMER)));
    const sent = dataOf(await send({ customerId: CUSTOMER, channel: 'EMAIL', body: 'Sí, dinos a qué tienda.', orderId: ORDER, idempotencyKey: 'service-conversation-channel' })).sendMessage;
    expect(sent.deliveryStatus).toBe('SENT');
  });

  it('an explicit opt-out wins over the order channel; MARKETING with an opt-in goes', async () => {
    dataOf(await messaging.run(SET, { customerId: CUSTOMER, channel: 'WHATSAPP', optedIn: false, via: 'WHATSAPP' }));
    expect(errorCodes(await send({ customerId: CUSTOMER, channel: 'WHATSAPP', body: 'Otro aviso', orderId: ORDER, idempotencyKey: 'service-after-opt-out' }))).toEqual(['CONSENT_REQUIRED']);
    dataOf(await messaging.run(SET, { customerId: CUSTOMER, channel: 'SMS', optedIn: true, via: 'STORE' }));
    const sent = dataOf(await send({ customerId: CUSTOMER, channel: 'SMS', body: '¡20% en huaraches este fin!', kind: 'MARKETING', idempotencyKey: 'marketing-opted-in' })).sendMessage;
    expect(sent).toMatchObject({ kind: 'MARKETING', deliveryStatus: 'SENT' });
  });
});

describe('idempotent sending', () => {
  const CUSTOMER = 'cus_consent20';

  beforeAll(async () => {
    dataOf(await messaging.run(SET, { customerId: CUSTOMER, channel: 'WHATSAPP', optedIn: true, via: 'WHATSAPP' }));
  });

  it('the same key twice returns the same message, sent once', async () => {
    const input = { customerId: CUSTOMER, channel: 'WHATSAPP', body: 'Tu reembolso está en proceso.', idempotencyKey: 'refund-notice-0001' };
    const first = dataOf(await send(input)).sendMessage;
    const second = dataOf(await send(input)).sendMessage;
    expect(second.id).toBe(first.id);
    expect(await messaging.outbox.collection.countDocuments({ messageId: first.id })).toBe(1);
  });

  it('the same key from 12 concurrent requests: one message, one outgoing, every answer the same id', async () => {
    const input = { customerId: CUSTOMER, channel: 'WHATSAPP', body: 'Tu paquete llega hoy.', idempotencyKey: 'concurrent-key-0001' };
    const responses = await Promise.all(Array.from({ length: 12 }, () => send(input)));
    const ids = new Set(responses.map((r) => dataOf(r).sendMessage.id));
    expect(ids.size).toBe(1);
    expect(await messaging.services.repositories.messages.collection.countDocuments({ customerId: CUSTOMER, idempotencyKey: 'concurrent-key-0001' })).toBe(1);
    expect(await messaging.outbox.collection.countDocuments({ messageId: [...ids][0] })).toBe(1);
    const conversation = await messaging.services.repositories.conversations.findById(dataOf(responses[0]!).sendMessage.conversationId);
    expect(conversation?.messageCount).toBe(2);
  });

  it('the same key for a different message is a CONFLICT; a bad key or channel is BAD_USER_INPUT; customers and analysts cannot send', async () => {
    expect(errorCodes(await send({ customerId: CUSTOMER, channel: 'EMAIL', body: 'x', idempotencyKey: 'refund-notice-0001' }))).toEqual(['CONFLICT']);
    expect((await send({ customerId: CUSTOMER, channel: 'WHATSAPP', body: 'x', idempotencyKey: 'short' })).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.idempotencyKey' });
    expect((await send({ customerId: CUSTOMER, channel: 'CALL_CENTER', body: 'x', idempotencyKey: 'call-center-key' })).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.channel' });
    expect(errorCodes(await send({ customerId: CUSTOMER, channel: 'WHATSAPP', body: 'x', idempotencyKey: 'customer-sends' }, token('CUSTOMER', CUSTOMER)))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await send({ customerId: CUSTOMER, channel: 'WHATSAPP', body: 'x', idempotencyKey: 'analyst-sends' }, token('ANALYST')))).toEqual(['FORBIDDEN']);
  });
});

describe('delivery status updates', () => {
  const CUSTOMER = 'cus_consent30';
  let messageId: string;
  let providerMessageId: string;

  beforeAll(async () => {
    dataOf(await messaging.run(SET, { customerId: CUSTOMER, channel: 'EMAIL', optedIn: true, via: 'WEB' }));
    messageId = dataOf(await send({ customerId: CUSTOMER, channel: 'EMAIL', body: 'Factura adjunta.', idempotencyKey: 'invoice-mail-0001' })).sendMessage.id;
    providerMessageId = (await messaging.services.repositories.messages.findById(messageId))?.providerMessageId ?? '';
  });

  const statusOf = async () => (await messaging.services.repositories.messages.findById(messageId))?.deliveryStatus;

  it('the provider reports DELIVERED then READ; a late DELIVERED does not move it back', async () => {
    expect(providerMessageId).toMatch(/^out_/);
    expect(await messaging.outbox.reportStatus(providerMessageId, 'DELIVERED')).toBe(true);
    expect(await statusOf()).toBe('DELIVERED');
    expect(await messaging.outbox.reportStatus(providerMessageId, 'READ')).toBe(true);
    expect(await statusOf()).toBe('READ');
    expect(await messaging.outbox.reportStatus(providerMessageId, 'DELIVERED')).toBe(false);
    expect(await statusOf()).toBe('READ');
  });

  it('the internal webhook endpoint takes updates with a SERVICE token only', async () => {
    const endpoint = messaging.url.replace(/\/graphql$/, '/internal/delivery-status');
    const post = (body: unknown, bearer?: string) =>
      fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) }, body: JSON.stringify(body) });
    expect((await post({ providerMessageId, status: 'FAILED' })).status).toBe(401);
    expect((await post({ providerMessageId, status: 'FAILED' }, token('AGENT'))).status).toBe(403);
    expect((await post({ providerMessageId, status: 'LOST' }, token('SERVICE', 'relay'))).status).toBe(400);
    const late = await post({ providerMessageId, status: 'FAILED' }, token('SERVICE', 'relay'));
    expect(await late.json()).toEqual({ applied: false });
    expect(await statusOf()).toBe('READ');
  });
});
