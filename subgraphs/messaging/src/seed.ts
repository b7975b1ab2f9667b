/**
 * Messaging's part of the demo dataset, written into an empty database: conversations with their
 * messages, consent per channel (with a first history entry each, by `seed`), and the order projection
 * the OrderPlaced events would have built for every demo order.
 */
import type { MongoStore } from '../../kit/src';
import type { DemoDataset } from '../../../scripts/seed/demoDataset';
import { SILENT_PROGRESS, type SeedProgress } from '../../../scripts/seed/seedProgress';
import { messagingIndexes } from './indexes';
import { activeKeyOf, type ConversationDocument } from './repositories/conversationRepository';
import { contactPreferenceId, type ContactPreferenceDocument } from './repositories/contactPreferenceRepository';
import type { MessageDocument } from './repositories/messageRepository';
import type { OrderChannelDocument } from './repositories/orderChannelRepository';
import type { PreferenceChangeDocument } from './repositories/preferenceHistoryRepository';

const CHUNK = 1000;

/** Inserts `count` documents made by `documentsIn(start, end)` one chunk at a time, so a million orders are never all converted at once. */
async function insertChunked(store: MongoStore, name: string, count: number, documentsIn: (start: number, end: number) => { _id: string }[], progress: SeedProgress): Promise<void> {
  const collection = store.collection<{ _id: string }>(name);
  progress.begin(name, count);
  for (let start = 0; start < count; start += CHUNK) {
    const chunk = documentsIn(start, Math.min(count, start + CHUNK));
    await collection.insertMany(chunk, { ordered: false });
    progress.advance(chunk.length);
  }
}

/** {@link insertChunked} over documents already made. */
function insertAll(store: MongoStore, name: string, documents: readonly { _id: string }[], progress: SeedProgress): Promise<void> {
  return insertChunked(store, name, documents.length, (start, end) => documents.slice(start, end), progress);
}

/** Writes messaging's part of `dataset` (see module comment). */
export async function seedMessaging(store: MongoStore, dataset: DemoDataset, progress: SeedProgress = SILENT_PROGRESS): Promise<void> {
  // The unique activeKey index must exist before conversations claim their slots.
  await store.ensureIndexes(messagingIndexes);

  const conversations: ConversationDocument[] = [];
  const messages: MessageDocument[] = [];
  const takenSlots = new Set<string>();
  for (const demo of dataset.conversations) {
    const thread = [...demo.messages].sort((a, b) => a.sentAt.getTime() - b.sentAt.getTime());
    const first = thread[0];
    const last = thread[thread.length - 1];
    if (!first || !last) continue;
    const orderId = demo.orderId ?? null;
    const slot = activeKeyOf(demo.customerId, orderId);
    const holdsSlot = demo.status === 'OPEN' && !takenSlots.has(slot);
    if (holdsSlot) takenSlots.add(slot);
    conversations.push({
      _id: demo.id,
      customerId: demo.customerId,
      orderId,
      status: demo.status,
      channels: [...new Set(thread.map((message) => message.channel))],
      subject: demo.subject,
      startedAt: first.sentAt,
      lastMessageAt: last.sentAt,
      messageCount: thread.length,
      ...(holdsSlot ? { activeKey: slot } : {}),
      closedAt: demo.status === 'CLOSED' ? last.sentAt : null,
      closedReason: demo.status === 'CLOSED' ? 'CLOSED' : null,
    });
    for (const message of thread) {
      messages.push({
        _id: message.id,
        conversationId: demo.id,
        customerId: demo.customerId,
        orderId,
        channel: message.channel,
        direction: message.direction,
        body: message.body,
        sentAt: message.sentAt,
        author: message.author,
        deliveryStatus: message.deliveryStatus,
        deliveryStatusAt: message.sentAt,
        kind: 'SERVICE',
        idempotencyKey: null,
        providerMessageId: null,
        notificationId: null,
      });
    }
  }

  const preferences: ContactPreferenceDocument[] = [];
  const history: PreferenceChangeDocument[] = [];
  for (const demo of dataset.contactPreferences) {
    const _id = contactPreferenceId(demo.customerId, demo.channel);
    preferences.push({ _id, customerId: demo.customerId, channel: demo.channel, optedIn: demo.optedIn, updatedVia: demo.updatedVia, updatedAt: demo.updatedAt, updatedBy: 'seed', updatedByRole: 'SEED', version: 1 });
    history.push({ _id: `${_id}:1`, customerId: demo.customerId, channel: demo.channel, previousOptedIn: null, optedIn: demo.optedIn, via: demo.updatedVia, changedBy: 'seed', changedByRole: 'SEED', changedAt: demo.updatedAt });
  }

  const recordedAt = new Date();
  const orderChannelOf = (order: DemoDataset['orders'][number]): OrderChannelDocument => ({
    _id: order.id,
    customerId: order.customerId,
    channel: order.channel,
    number: order.number,
    locationId: order.fulfillment.locationId,
    fulfillmentMethod: order.fulfillment.method,
    placedAt: order.placedAt,
    recordedAt,
  });

  await insertAll(store, 'conversations', conversations, progress);
  await insertAll(store, 'messages', messages, progress);
  await insertAll(store, 'contactPreferences', preferences, progress);
  await insertAll(store, 'preferenceHistory', history, progress);
  await insertChunked(store, 'orderChannels', dataset.orders.length, (start, end) => dataset.orders.slice(start, end).map(orderChannelOf), progress);
}
