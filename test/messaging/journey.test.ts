/**
 * Issue 8's journey, through a gateway: the customer writes on WhatsApp about an order, a call-centre
 * agent logs the call in the same conversation and sees the WhatsApp message there, and the customer
 * sees both in the app. The gateway serves a supergraph of the messaging subgraph alone (the other
 * subgraphs are not this file's business), composed here from schema/messaging.graphql.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { buildGateway, type GatewayServer } from '../../gateway/src/server';
import { readGatewayConfig } from '../../gateway/src/config';
import { createLogger, schemaPath } from '../../subgraphs/kit/src';
import { execute, errorCodes } from '../support/testkit';
import { CONVERSATION_FIELDS, dataOf, startMessaging, token, type ConversationView, type MessagingUnderTest } from './messagingTestkit';

let messaging: MessagingUnderTest;
let gateway: GatewayServer;
let gatewayUrl: string;
let supergraphDir: string;

const CUSTOMER = 'cus_journey01';
const ORDER = 'ord_journey01';
const customer = token('CUSTOMER', CUSTOMER);
const agent = token('AGENT', 'agent-042');

const LOG = /* GraphQL */ `mutation Log($input: InteractionInput!) { logInteraction(input: $input) { ${CONVERSATION_FIELDS} } }`;
const CONVERSATION = /* GraphQL */ `query Conversation($id: ID!) { conversation(id: $id) { ${CONVERSATION_FIELDS} } }`;

beforeAll(async () => {
  messaging = await startMessaging('zocalo_messaging_journey_test');
  const composed = composeServices([{ name: 'messaging', url: messaging.url, typeDefs: parse(readFileSync(schemaPath('messaging.graphql'), 'utf8')) }]);
  if (composed.errors || !composed.supergraphSdl) throw new Error(`composition failed: ${JSON.stringify(composed.errors)}`);
  supergraphDir = mkdtempSync(join(tmpdir(), 'zocalo-messaging-'));
  const supergraphPath = join(supergraphDir, 'supergraph.graphql');
  writeFileSync(supergraphPath, composed.supergraphSdl);
  gateway = buildGateway({ config: readGatewayConfig({ SUPERGRAPH_PATH: supergraphPath, PORT: '0', MESSAGING_URL: messaging.url }), logger: createLogger('gateway', 'silent') });
  gatewayUrl = await gateway.start();
  // The order, as the OrderPlaced projection knows it (placed on the web, picked up in Polanco).
  await messaging.services.repositories.orderChannels.record({
    _id: ORDER, customerId: CUSTOMER, channel: 'WEB', number: 'ZC-260001', locationId: 'MX-CDMX-POLANCO', fulfillmentMethod: 'PICKUP_IN_STORE', placedAt: new Date(), recordedAt: new Date(),
  });
});

afterAll(async () => {
  await gateway?.stop();
  await messaging?.stop();
  if (supergraphDir) rmSync(supergraphDir, { recursive: true, force: true });
});

describe('one conversation across channels, through the gateway', () => {
  let conversationId: string;

  it('the customer writes on WhatsApp about an order: a conversation about that order starts', async () => {
    const response = await execute<{ logInteraction: ConversationView }>(gatewayUrl, LOG, {
      input: { customerId: CUSTOMER, channel: 'WHATSAPP', direction: 'INBOUND', body: '¿Ya está listo mi pedido ZC-260001?', orderId: ORDER },
    }, customer);
    const conversation = dataOf(response).logInteraction;
    conversationId = conversation.id;
    expect(conversation).toMatchObject({ status: 'OPEN', channels: ['WHATSAPP'], subject: 'Pedido ZC-260001', customer: { id: CUSTOMER }, order: { id: ORDER } });
    expect(conversation.messages.nodes).toEqual([
      expect.objectContaining({ channel: 'WHATSAPP', direction: 'INBOUND', body: '¿Ya está listo mi pedido ZC-260001?', author: 'customer', deliveryStatus: 'RECEIVED', kind: 'SERVICE' }),
    ]);
  });

  it('the agent logs the call in the same conversation and sees the WhatsApp message in it', async () => {
    const response = await execute<{ logInteraction: ConversationView }>(gatewayUrl, LOG, {
      input: { customerId: CUSTOMER, channel: 'CALL_CENTER', direction: 'INBOUND', body: 'Llamada: pregunta por su pedido; se le confirma que mañana estará listo en Polanco.', conversationId },
    }, agent);
    const conversation = dataOf(response).logInteraction;
    expect(conversation.id).toBe(conversationId);
    expect(conversation.channels).toEqual(['WHATSAPP', 'CALL_CENTER']);
    expect(conversation.messages.totalCount).toBe(2);
    expect(conversation.messages.nodes.map((m) => [m.channel, m.author])).toEqual([['WHATSAPP', 'customer'], ['CALL_CENTER', 'agent-042']]);
  });

  it('the customer sees both messages in the app, oldest first, in the one conversation', async () => {
    const response = await execute<{ conversation: ConversationView & { customer: { id: string; conversations: { id: string; channels: string[] }[] } } }>(
      gatewayUrl,
      /* GraphQL */ `query Mine($id: ID!) { conversation(id: $id) { ${CONVERSATION_FIELDS} customer { id conversations(status: OPEN) { id channels } } } }`,
      { id: conversationId },
      customer,
    );
    const conversation = dataOf(response).conversation;
    expect(conversation.channels).toEqual(['WHATSAPP', 'CALL_CENTER']);
    expect(conversation.messages.nodes.map((m) => m.body)).toEqual([
      '¿Ya está listo mi pedido ZC-260001?',
      'Llamada: pregunta por su pedido; se le confirma que mañana estará listo en Polanco.',
    ]);
    expect(conversation.customer.conversations).toEqual([{ id: conversationId, channels: ['WHATSAPP', 'CALL_CENTER'] }]);
  });

  it('another message about the same order, without the conversation id, continues that conversation', async () => {
    const response = await execute<{ logInteraction: ConversationView }>(gatewayUrl, LOG, {
      input: { customerId: CUSTOMER, channel: 'APP', direction: 'INBOUND', body: 'Gracias, paso mañana.', orderId: ORDER },
    }, customer);
    expect(dataOf(response).logInteraction).toMatchObject({ id: conversationId, channels: ['WHATSAPP', 'CALL_CENTER', 'APP'] });
  });

  it('another customer cannot read it, and no token is UNAUTHENTICATED', async () => {
    expect(errorCodes(await execute(gatewayUrl, CONVERSATION, { id: conversationId }, token('CUSTOMER', 'cus_someoneelse')))).toContain('FORBIDDEN');
    expect(errorCodes(await execute(gatewayUrl, CONVERSATION, { id: conversationId }))).toContain('UNAUTHENTICATED');
  });
});

describe('continuing, closing, reopening (subgraph)', () => {
  const OTHER = 'cus_journey02';
  const other = token('CUSTOMER', OTHER);

  it('messages from several channels at once without an order start ONE general conversation', async () => {
    const channels = ['WHATSAPP', 'WEB', 'APP', 'SMS', 'EMAIL', 'STORE'];
    const responses = await Promise.all(
      channels.map((channel) => messaging.run<{ logInteraction: { id: string } }>(LOG, { input: { customerId: OTHER, channel, direction: 'INBOUND', body: `Hola desde ${channel}` } }, other)),
    );
    const ids = new Set(responses.map((r) => dataOf(r).logInteraction.id));
    expect(ids.size).toBe(1);
    const [id] = [...ids] as [string];
    const conversation = dataOf(await messaging.run<{ conversation: ConversationView }>(CONVERSATION, { id })).conversation;
    expect(conversation.messages.totalCount).toBe(6);
    expect([...conversation.channels].sort()).toEqual([...channels].sort());
    expect(conversation.order).toBeNull();
  });

  it('closing releases the conversation: the next message starts a new one; reopening is allowed and idempotent', async () => {
    const first = dataOf(await messaging.run<{ logInteraction: { id: string } }>(LOG, { input: { customerId: OTHER, channel: 'WHATSAPP', direction: 'INBOUND', body: 'Una pregunta más' } }, other)).logInteraction;
    const closed = dataOf(await messaging.run<{ closeConversation: { id: string; status: string } }>(`mutation { closeConversation(id: "${first.id}") { id status } }`));
    expect(closed.closeConversation).toEqual({ id: first.id, status: 'CLOSED' });
    const logClosed = await messaging.run(LOG, { input: { customerId: OTHER, channel: 'WHATSAPP', direction: 'INBOUND', body: 'x', conversationId: first.id } }, other);
    expect(errorCodes(logClosed)).toEqual(['CONFLICT']);
    const next = dataOf(await messaging.run<{ logInteraction: { id: string } }>(LOG, { input: { customerId: OTHER, channel: 'SMS', direction: 'INBOUND', body: 'Otra consulta' } }, other)).logInteraction;
    expect(next.id).not.toBe(first.id);
    const reopen = `mutation { reopenConversation(id: "${first.id}") { id status } }`;
    expect(dataOf(await messaging.run<{ reopenConversation: { status: string } }>(reopen, {}, other)).reopenConversation.status).toBe('OPEN');
    expect(dataOf(await messaging.run<{ reopenConversation: { status: string } }>(reopen, {}, other)).reopenConversation.status).toBe('OPEN');
    const listed = dataOf(await messaging.run<{ _entities: { conversations: { id: string; status: string }[] }[] }>(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { conversations { id status } } } }`, { r: [{ __typename: 'Customer', id: OTHER }] }, other));
    expect(listed._entities[0]?.conversations.map((c) => c.id)).toEqual(expect.arrayContaining([first.id, next.id]));
  });

  it('a general conversation idle for more than 72 hours is closed and a new one starts', async () => {
    const IDLE = 'cus_journey03';
    const first = dataOf(await messaging.run<{ logInteraction: { id: string } }>(LOG, { input: { customerId: IDLE, channel: 'WHATSAPP', direction: 'INBOUND', body: 'Hola' } })).logInteraction;
    await messaging.services.repositories.conversations.collection.updateOne({ _id: first.id }, { $set: { lastMessageAt: new Date(Date.now() - 73 * 3600 * 1000) } });
    const second = dataOf(await messaging.run<{ logInteraction: { id: string } }>(LOG, { input: { customerId: IDLE, channel: 'WHATSAPP', direction: 'INBOUND', body: 'Hola otra vez' } })).logInteraction;
    expect(second.id).not.toBe(first.id);
    expect(await messaging.services.repositories.conversations.findById(first.id)).toMatchObject({ status: 'CLOSED', closedReason: 'IDLE' });
  });

  it('pages messages oldest first with a cursor', async () => {
    const PAGED = 'cus_journey04';
    let id = '';
    for (let i = 1; i <= 5; i += 1) {
      id = dataOf(await messaging.run<{ logInteraction: { id: string } }>(LOG, { input: { customerId: PAGED, channel: 'WEB', direction: 'INBOUND', body: `mensaje ${i}` } })).logInteraction.id;
    }
    const PAGE = `query($id: ID!, $after: String) { conversation(id: $id) { messages(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { body } } } }`;
    const bodies: string[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 5; pages += 1) {
      const page: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: { body: string }[] } =
        dataOf(await messaging.run<{ conversation: { messages: never } }>(PAGE, { id, after })).conversation.messages;
      expect(page.totalCount).toBe(5);
      bodies.push(...page.nodes.map((n) => n.body));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(bodies).toEqual(['mensaje 1', 'mensaje 2', 'mensaje 3', 'mensaje 4', 'mensaje 5']);
    expect(errorCodes(await messaging.run(PAGE, { id, after: 'bm90LWEtY3Vyc29y' }))).toEqual(['BAD_USER_INPUT']);
  });

  it('validates input and names the field', async () => {
    const bad = async (input: Record<string, unknown>) => (await messaging.run(LOG, { input: { customerId: 'cus_journey05', channel: 'WEB', direction: 'INBOUND', body: 'hola', ...input } })).errors?.[0]?.extensions;
    expect(await bad({ customerId: 'nope' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.customerId' });
    expect(await bad({ body: '' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.body' });
    expect(await bad({ body: 'x'.repeat(4001) })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.body' });
    expect(await bad({ orderId: { $ne: null } })).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(await bad({ conversationId: 'cnv_doesnotexist' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.conversationId' });
    // An order messaging knows belongs to someone else.
    expect(await bad({ orderId: ORDER })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.orderId' });
  });
});
