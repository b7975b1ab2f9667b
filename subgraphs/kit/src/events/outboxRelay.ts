/**
 * The outbox relay of a publishing subgraph: takes the events its writes left in `pendingEvents`, records
 * them in the subgraph's own `outbox` collection, and delivers each at least once, in order per subject,
 * to every subscriber — with backoff, a per-subscriber delivery state and dead letters.
 *
 * ## Design
 *
 * Publishing (domainEvent.ts) puts an event into the `pendingEvents` array of the document whose state
 * changes, in the same single-document write. The relay runs passes — every `relayIntervalMs`, and at
 * once after a local write that pushed an event (`kick`) — each with two steps (while the outbox holds
 * nothing pending and a pass moved nothing, the wait doubles up to `idleIntervalMs`; see {@link OutboxRelay.run}):
 *
 * 1. **Move.** Read a batch of documents of each publishing collection that have pending events; reserve
 *    a block of ordering keys (`seq`) from the counter document `outboxState/sequence` (one atomic
 *    `$inc`, AFTER the read); upsert each event into `outbox` by `_id` = event id, in array order, in one
 *    ordered bulk write (`$setOnInsert` of the event and its per-subscriber `deliveries`, `$min` of
 *    `seq`); THEN `$pull` exactly those ids from the source document.
 * 2. **Deliver.** For each lane — a subscriber (HTTP push) or the broker (JetStream: one publish reaches
 *    all) — read the lowest-`seq` entries still pending for it, group them into chains by subject, and
 *    work the chains in parallel, each strictly in `seq` order: deliver the head; on success mark it
 *    DELIVERED and go on; on failure record `attempts`, `lastError` and `nextAttemptAt` (exponential
 *    backoff with jitter) and stop that chain for this pass; after `maxAttempts` failures mark it DEAD
 *    (logged at error level), which releases the chain. A chain whose head is waiting out its backoff
 *    waits entirely.
 *
 * Fully delivered entries are deleted after `deliveredRetentionMs` (per-subscriber delivered counts
 * live on in `outboxState/delivered`); dead letters stay until an operator deals with them.
 *
 * ## Why no event is lost or invented, without multi-document transactions
 *
 * - *Exists iff committed.* An event enters `pendingEvents` atomically with its state change (one
 *   document, one write), so a pending event exists exactly when its change committed.
 * - *Not lost.* The relay removes an event from `pendingEvents` only by `$pull` of its id, and only
 *   after the upsert of that id into `outbox` was acknowledged. A crash before the pull leaves the event
 *   pending, and the next pass upserts it again — the same `_id`, so the same single outbox entry
 *   (`$setOnInsert` never overwrites its delivery state). An outbox entry is deleted only when no
 *   subscriber is pending or dead for it.
 * - *Not invented, not duplicated.* Outbox entries are only ever created from events read out of
 *   `pendingEvents`, keyed by their id; concurrent relays (a restart overlapping a slow pass, or two
 *   replicas) upsert the same documents.
 * - *At least once.* A subscriber stays in `pendingFor` until the transport resolved — HTTP: the
 *   consumer answered 2xx, which it does only after its handler succeeded and it recorded the event id;
 *   JetStream: the stream acknowledged storing the message. A crash between that receipt and the
 *   DELIVERED mark means one more delivery, which the consumer's `processedEvents` (or JetStream's
 *   `msgID` de-duplication) turns into no second effect. The only exit without delivery is DEAD, after
 *   `maxAttempts`, visible in `/health`, `/metrics`, `/internal/dead-letters` and the error log.
 *
 * ## Why in order per subject
 *
 * A subject's events are published on one document (its aggregate, e.g. the order), so the order of
 * their commits is their order in that document's `pendingEvents` array (`$push` appends atomically).
 * Claim: if e1 was pushed before e2, then `seq(e1) < seq(e2)` whenever e2 is in the outbox.
 * Take any pass that upserts e2 with candidate key k2. Either its read still saw e1 before e2 — then
 * its block gave e1 a smaller candidate, upserted before e2's in the same ordered bulk write, and
 * `$min` only ever lowers e1's key — or e1 was already pulled, hence already upserted by an earlier
 * pass whose block was reserved before that pull, before this pass's read, before this pass's
 * reservation, so with a smaller key. `$min` keeps every later candidate of e2 subject to the same
 * argument. (With `$setOnInsert` for `seq`, two overlapping relays could interleave and break this.)
 * Delivery then never sends an entry to a lane while an entry of the same subject with a smaller `seq`
 * is still pending there: each lane reads its pending entries lowest `seq` first, so any earlier
 * pending entry of a subject is in the batch before any later one, and chains are worked head first,
 * one at a time. With JetStream the relay publishes a subject's next event only after the stream
 * acknowledged the previous one, so stream order follows `seq`; each durable consumer then takes one
 * message at a time (`max_ack_pending` 1; natsConsumer.ts). Ordering is not promised across subjects,
 * nor for one subject published from two different documents.
 *
 * Limits, on purpose: a lane's batch holds its `batchSize` oldest pending entries, so a subject stuck
 * in backoff with more queued events than that delays younger subjects until it resolves or dies; and
 * a dead letter releases its chain, so an operator replaying it later replays it out of order.
 */
import type { AnyBulkWriteOperation, Collection, Document, UpdateFilter } from 'mongodb';
import type { SubgraphName } from '../estate';
import type { Logger } from '../logger';
import type { MongoStore } from '../mongo';
import { isDomainEvent, type DomainEvent } from './domainEvent';
import { errorSummary } from './eventConsumer';
import { OUTBOX_COLLECTION, OUTBOX_STATE_COLLECTION, type OutboxEntry, type SubscriberDelivery } from './outboxEntry';
import { retryDelayMs } from './retryDelay';
import { subscribersIn, subscribersOf, type SubscriptionTable } from './subscriptions';
import type { EventTransport } from './transport';

/** Options of {@link OutboxRelay}. */
export interface OutboxRelayOptions {
  store: MongoStore;
  /** The publishing subgraph. */
  source: SubgraphName;
  /** Collections whose documents carry `pendingEvents`. */
  collections: readonly string[];
  transport: EventTransport;
  subscriptions: SubscriptionTable;
  logger: Logger;
  /** @default 200 */
  intervalMs?: number;
  /** Longest wait between passes while there is nothing to do (never below `intervalMs`). @default 1000 */
  idleIntervalMs?: number;
  /** @default 12 */
  maxAttempts?: number;
  /** @default 500 */
  backoffBaseMs?: number;
  /** @default 300000 */
  backoffMaxMs?: number;
  /** @default 200 */
  batchSize?: number;
  /** Chains (subjects) delivered in parallel. @default 16 */
  concurrency?: number;
  /** @default 3600000 */
  deliveredRetentionMs?: number;
  /** Jitter source (tests). @default Math.random */
  random?: () => number;
}

/** What one pass did. */
export interface RelayPassResult {
  /** Events moved from `pendingEvents` into the outbox. */
  moved: number;
  /** Deliveries that succeeded (per subscriber). */
  delivered: number;
  /** Deliveries that failed (and will be retried or were dead-lettered). */
  failed: number;
  /** Deliveries dead-lettered. */
  dead: number;
  /** Outbox entries still pending for some subscriber when the pass read them (due or waiting out a backoff). */
  pending: number;
}

/** The lane the broker fan-out delivers through: one publish for every subscriber. */
const BROKER_LANE = '*';
/** Source batches moved per collection and pass at most, so a burst cannot starve delivery. */
const MAX_MOVE_BATCHES_PER_PASS = 10;
/** How often fully delivered entries are pruned. */
const PRUNE_EVERY_MS = 60_000;

interface PendingSourceDocument {
  _id: unknown;
  pendingEvents?: unknown[];
}

/** Ids are strings throughout the estate (DESIGN.md); the driver's default would be ObjectId. */
interface KeyedDocument extends Document {
  _id: string;
}

/** A `$pull` by condition, which the driver's typings only accept on fields it knows to be arrays. */
function pullUpdate(conditions: Document): UpdateFilter<KeyedDocument> {
  return { $pull: conditions } as UpdateFilter<KeyedDocument>;
}

interface SequenceDocument {
  _id: string;
  value?: number;
}

interface Chain {
  lane: string;
  entries: OutboxEntry[];
}

/** The relay (see the module comment). */
export class OutboxRelay {
  private readonly outbox: Collection<OutboxEntry>;
  /** The same collection, untyped: the driver's update typings reject dotted paths into `deliveries`. */
  private readonly outboxUpdates: Collection<KeyedDocument>;
  private readonly intervalMs: number;
  private readonly idleIntervalMs: number;
  private readonly maxAttempts: number;
  private readonly batchSize: number;
  private readonly concurrency: number;
  private readonly retentionMs: number;
  private readonly random: () => number;
  private running = false;
  private stopping = false;
  private kicked = false;
  private wake: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private lastPruneAt = 0;
  private readonly deliveredSinceFlush = new Map<SubgraphName, number>();

  constructor(private readonly options: OutboxRelayOptions) {
    this.outbox = options.store.collection<OutboxEntry>(OUTBOX_COLLECTION);
    this.outboxUpdates = options.store.collection<KeyedDocument>(OUTBOX_COLLECTION);
    this.intervalMs = options.intervalMs ?? 200;
    this.idleIntervalMs = Math.max(this.intervalMs, options.idleIntervalMs ?? 1000);
    this.maxAttempts = options.maxAttempts ?? 12;
    this.batchSize = options.batchSize ?? 200;
    this.concurrency = options.concurrency ?? 16;
    this.retentionMs = options.deliveredRetentionMs ?? 3_600_000;
    this.random = options.random ?? Math.random;
  }

  /** True between {@link start} and the end of {@link stop}. */
  get isRunning(): boolean {
    return this.running;
  }

  /** Starts the polling loop (no-op when running). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopping = false;
    this.loop = this.run();
  }

  /**
   * Stops: no new delivery starts, deliveries in flight finish and are recorded, the loop ends. A
   * relay stopped in the middle of a pass leaves the rest of its work pending for the next relay.
   */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.stopping = true;
    this.running = false;
    this.wake?.();
    await this.loop;
    this.loop = null;
  }

  /** Asks for a pass as soon as the current one (if any) ends: called after a local write pushed an event. */
  kick(): void {
    this.kicked = true;
    this.wake?.();
  }

  /** One pass: move pending events into the outbox, then deliver what is due. Exposed for tests and tools. */
  async runOnce(): Promise<RelayPassResult> {
    const result: RelayPassResult = { moved: 0, delivered: 0, failed: 0, dead: 0, pending: 0 };
    for (const collection of this.options.collections) {
      result.moved += await this.moveFrom(collection);
      if (this.stopping) return result;
    }
    await this.deliverDue(result);
    await this.flushDeliveredCounts();
    if (Date.now() - this.lastPruneAt >= PRUNE_EVERY_MS) await this.prune();
    return result;
  }

  /**
   * The loop. A pass right after a kick; otherwise every `intervalMs` while there is work — events
   * moved, or outbox entries pending (due, or waiting out a backoff: their retries stay on time) — and,
   * while there is none, a wait that doubles up to `idleIntervalMs`. An idle relay then costs the
   * database a few reads a second instead of five passes' worth (each pass reads every publishing
   * collection and every subscriber's lane; on a server without secondary indexes, a scan each); what
   * it can miss for that long is only work no local write announced — another replica's leftovers, a
   * crashed pass, a replayed dead letter — which is picked up within `idleIntervalMs`.
   */
  private async run(): Promise<void> {
    let waitMs = this.intervalMs;
    while (this.running) {
      this.kicked = false;
      let idle = false;
      try {
        const result = await this.runOnce();
        idle = result.moved === 0 && result.pending === 0;
      } catch (error) {
        // The database or the transport is down; the state is in the database, so the next pass
        // simply tries again.
        this.options.logger.warn('outbox relay pass failed', { error });
      }
      if (!this.running) break;
      if (this.kicked) {
        waitMs = this.intervalMs;
        continue;
      }
      waitMs = idle ? Math.min(this.idleIntervalMs, waitMs * 2) : this.intervalMs;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, waitMs);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.wake = done;
      });
      this.wake = null;
      if (this.kicked) waitMs = this.intervalMs;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Move
  // ---------------------------------------------------------------------------------------------

  private async moveFrom(collectionName: string): Promise<number> {
    const source = this.options.store.collection<KeyedDocument>(collectionName);
    let moved = 0;
    for (let batch = 0; batch < MAX_MOVE_BATCHES_PER_PASS && !this.stopping; batch += 1) {
      // `pendingEvents.id` exists only on documents with at least one pending event (sparse index).
      const documents = (await source.find({ 'pendingEvents.id': { $exists: true } }, { projection: { pendingEvents: 1 }, limit: this.batchSize }).toArray()) as PendingSourceDocument[];
      if (documents.length === 0) break;
      moved += await this.moveBatch(source, collectionName, documents);
      if (documents.length < this.batchSize) break;
    }
    return moved;
  }

  private async moveBatch(source: Collection<KeyedDocument>, collectionName: string, documents: PendingSourceDocument[]): Promise<number> {
    const perDocument = documents.map((document) => ({
      id: document._id,
      events: (document.pendingEvents ?? []).filter((event): event is { id: string } & Record<string, unknown> => {
        const ok = typeof event === 'object' && event !== null && typeof (event as { id?: unknown }).id === 'string';
        if (!ok) this.options.logger.error('a pendingEvents element without an id cannot be relayed', { collection: collectionName, documentId: document._id });
        return ok;
      }),
    }));
    const count = perDocument.reduce((sum, document) => sum + document.events.length, 0);
    if (count === 0) return 0;

    // The block is reserved after the read: see "Why in order per subject" in the module comment.
    const last = await this.reserveSequence(count);
    let next = last - count + 1;
    const now = new Date();
    const upserts: AnyBulkWriteOperation<KeyedDocument>[] = perDocument.flatMap((document) =>
      document.events.map((raw) => {
        const seq = next;
        next += 1;
        return { updateOne: { filter: { _id: raw.id }, update: { $setOnInsert: this.newEntryFields(raw, collectionName, now), $min: { seq } }, upsert: true } };
      }),
    );
    await this.upsertWithRetry(upserts);

    await source.bulkWrite(
      perDocument
        .filter((document) => document.events.length > 0)
        .map((document) => ({
          updateOne: { filter: { _id: document.id as string }, update: pullUpdate({ pendingEvents: { id: { $in: document.events.map((event) => event.id) } } }) },
        })),
      { ordered: false },
    );
    return count;
  }

  private newEntryFields(raw: { id: string } & Record<string, unknown>, collectionName: string, now: Date): Omit<OutboxEntry, '_id' | 'seq'> {
    const valid = isDomainEvent(raw);
    if (!valid) this.options.logger.error('malformed domain event recorded without subscribers', { eventId: raw.id, collection: collectionName });
    const subscribers = valid ? subscribersOf(raw.type, this.options.source, this.options.subscriptions) : [];
    const deliveries: OutboxEntry['deliveries'] = {};
    for (const subscriber of subscribers) deliveries[subscriber] = { status: 'PENDING', attempts: 0, nextAttemptAt: now, lastError: null };
    return {
      event: raw as unknown as DomainEvent,
      type: typeof raw.type === 'string' ? raw.type : 'unknown',
      subject: typeof raw.subject === 'string' ? raw.subject : '',
      collection: collectionName,
      recordedAt: now,
      subscribers,
      pendingFor: subscribers,
      deliveredTo: [],
      deadFor: [],
      deliveries,
    };
  }

  /** Reserves `count` ordering keys; returns the last one. */
  private async reserveSequence(count: number): Promise<number> {
    const counter = await this.options.store
      .collection<SequenceDocument>(OUTBOX_STATE_COLLECTION)
      .findOneAndUpdate({ _id: 'sequence' }, { $inc: { value: count } }, { upsert: true, returnDocument: 'after' });
    const value = counter?.value;
    if (typeof value !== 'number') throw new Error(`The outbox sequence counter holds ${JSON.stringify(value)}, not a number`);
    return value;
  }

  /** Two relays upserting one new id at once may get a duplicate key error; the retry then matches. */
  private async upsertWithRetry(operations: AnyBulkWriteOperation<KeyedDocument>[]): Promise<void> {
    try {
      await this.outboxUpdates.bulkWrite(operations, { ordered: true });
    } catch (error) {
      if ((error as { code?: unknown }).code !== 11000) throw error;
      await this.outboxUpdates.bulkWrite(operations, { ordered: true });
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Deliver
  // ---------------------------------------------------------------------------------------------

  private async deliverDue(result: RelayPassResult): Promise<void> {
    const chains: Chain[] = [];
    const lanes: string[] = this.options.transport.fanout === 'broker' ? [BROKER_LANE] : subscribersIn(this.options.subscriptions);
    for (const lane of lanes) {
      const filter = lane === BROKER_LANE ? { 'pendingFor.0': { $exists: true } } : { pendingFor: lane as SubgraphName };
      const entries = await this.outbox.find(filter).sort({ seq: 1 }).limit(this.batchSize).toArray();
      result.pending += entries.length;
      const bySubject = new Map<string, OutboxEntry[]>();
      for (const entry of entries) {
        const chain = bySubject.get(entry.subject);
        if (chain) chain.push(entry);
        else bySubject.set(entry.subject, [entry]);
      }
      for (const chainEntries of bySubject.values()) {
        // Skip chains whose head is waiting out its backoff before spending a worker on them.
        const head = chainEntries[0];
        if (head && this.isDue(head, lane)) chains.push({ lane, entries: chainEntries });
      }
    }

    let nextChain = 0;
    const worker = async () => {
      while (!this.stopping) {
        const chain = chains[nextChain];
        nextChain += 1;
        if (!chain) return;
        await this.deliverChain(chain, result);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, chains.length) }, worker));
  }

  private async deliverChain(chain: Chain, result: RelayPassResult): Promise<void> {
    for (const entry of chain.entries) {
      if (this.stopping || !this.isDue(entry, chain.lane)) return;
      const subscribers = chain.lane === BROKER_LANE ? entry.pendingFor : [chain.lane as SubgraphName];
      const attempts = Math.max(...subscribers.map((subscriber) => entry.deliveries[subscriber]?.attempts ?? 0)) + 1;
      let failure: unknown = null;
      try {
        await this.options.transport.deliver(entry.event, subscribers);
      } catch (error) {
        failure = error;
      }
      if (failure === null) {
        await this.markDelivered(entry, subscribers, attempts);
        result.delivered += subscribers.length;
        continue;
      }
      result.failed += subscribers.length;
      const dead = await this.markFailed(entry, subscribers, attempts, errorSummary(failure));
      if (!dead) return;
      result.dead += subscribers.length;
      // A dead letter releases its chain: the subject's later events go on.
    }
  }

  private isDue(entry: OutboxEntry, lane: string): boolean {
    const now = Date.now();
    const subscribers = lane === BROKER_LANE ? entry.pendingFor : [lane as SubgraphName];
    return subscribers.every((subscriber) => {
      const delivery: SubscriberDelivery | undefined = entry.deliveries[subscriber];
      return !delivery || new Date(delivery.nextAttemptAt).getTime() <= now;
    });
  }

  private async markDelivered(entry: OutboxEntry, subscribers: readonly SubgraphName[], attempts: number): Promise<void> {
    const now = new Date();
    const set: Record<string, unknown> = {};
    for (const subscriber of subscribers) {
      set[`deliveries.${subscriber}.status`] = 'DELIVERED';
      set[`deliveries.${subscriber}.attempts`] = attempts;
      set[`deliveries.${subscriber}.deliveredAt`] = now;
      set[`deliveries.${subscriber}.lastError`] = null;
    }
    const update = await this.outboxUpdates.updateOne(
      { _id: entry._id, pendingFor: { $in: [...subscribers] } },
      { $set: set, ...pullUpdate({ pendingFor: { $in: [...subscribers] } }), $addToSet: { deliveredTo: { $each: [...subscribers] } } },
    );
    // Counted once even if an overlapping relay delivered it too.
    if (update.modifiedCount === 1) {
      for (const subscriber of subscribers) this.deliveredSinceFlush.set(subscriber, (this.deliveredSinceFlush.get(subscriber) ?? 0) + 1);
    }
  }

  /** Records a failed attempt; returns true when it dead-lettered the entry. */
  private async markFailed(entry: OutboxEntry, subscribers: readonly SubgraphName[], attempts: number, lastError: string): Promise<boolean> {
    const set: Record<string, unknown> = {};
    const dead = attempts >= this.maxAttempts;
    const nextAttemptAt = new Date(Date.now() + retryDelayMs(attempts, { baseMs: this.options.backoffBaseMs ?? 500, maxMs: this.options.backoffMaxMs ?? 300_000 }, this.random));
    for (const subscriber of subscribers) {
      set[`deliveries.${subscriber}.attempts`] = attempts;
      set[`deliveries.${subscriber}.lastError`] = lastError;
      if (dead) set[`deliveries.${subscriber}.status`] = 'DEAD';
      else set[`deliveries.${subscriber}.nextAttemptAt`] = nextAttemptAt;
    }
    const filter = { _id: entry._id, pendingFor: { $in: [...subscribers] } };
    if (dead) {
      await this.outboxUpdates.updateOne(filter, { $set: set, ...pullUpdate({ pendingFor: { $in: [...subscribers] } }), $addToSet: { deadFor: { $each: [...subscribers] } } });
      this.options.logger.error('domain event dead-lettered', { eventId: entry._id, type: entry.type, subject: entry.subject, subscribers, attempts, lastError, requestId: entry.event?.correlation?.requestId });
    } else {
      await this.outboxUpdates.updateOne(filter, { $set: set });
      this.options.logger.warn('domain event delivery failed; will retry', { eventId: entry._id, type: entry.type, subscribers, attempts, nextAttemptAt, lastError, requestId: entry.event?.correlation?.requestId });
    }
    return dead;
  }

  private async flushDeliveredCounts(): Promise<void> {
    if (this.deliveredSinceFlush.size === 0) return;
    const increments = Object.fromEntries(this.deliveredSinceFlush);
    this.deliveredSinceFlush.clear();
    await this.options.store.collection<KeyedDocument>(OUTBOX_STATE_COLLECTION).updateOne({ _id: 'delivered' }, { $inc: increments }, { upsert: true });
  }

  private async prune(): Promise<void> {
    this.lastPruneAt = Date.now();
    await this.outbox.deleteMany({
      'pendingFor.0': { $exists: false },
      'deadFor.0': { $exists: false },
      recordedAt: { $lt: new Date(Date.now() - this.retentionMs) },
    });
  }
}
