/**
 * The database contract test (DESIGN.md, "Rules that hold everywhere"): exactly the guarantees and
 * query features Zócalo's code relies on, checked against whatever server startLocalDatabase chose
 * (MONGODB_URI, mongod, mongo-java-server or mongodb-memory-server). If a feature is not here, do not
 * rely on it; if you need a new one, add it here first.
 *
 * Known gaps of mongo-java-server 1.47.0 (the server used on machines without mongod), found while
 * writing this test — keep the code off them (everything this file tests passes on it):
 *  - no `hello` command, only legacy `isMaster`: never set `serverApi` in MongoClient options;
 *  - `isMaster` reports no logicalSessionTimeoutMinutes, so the driver has NO sessions: passing a
 *    `session` (or `startSession`/`withTransaction`) throws "Current topology does not support
 *    sessions", and retryable writes are silently off; no transactions, change streams, `$text`;
 *  - `{ field: { $regex: /re/i } }` (a RegExp inside `$regex`) fails with "Illegal repetition";
 *    write `{ field: /re/i }` or `{ field: { $regex: 're', $options: 'i' } }` instead (tested below);
 *  - `partialFilterExpression` on an index is ignored (a partial unique index becomes a full one,
 *    so two documents without the field collide): use `sparse: true` for optional unique fields;
 *  - updates with an aggregation pipeline (`updateOne(f, [{ $set: … }])`) fail: use operators;
 *  - collation is ignored without an error: keep folded copies of searchable text (DESIGN.md).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MongoClient, MongoServerError, type Db } from 'mongodb';

import { startLocalDatabase, type LocalDatabase } from '../../subgraphs/kit/src/localDatabase';

let database: LocalDatabase;
let client: MongoClient;
let db: Db;

beforeAll(async () => {
  database = await startLocalDatabase({ mode: 'memory', ignoreEnvUri: false });
  client = new MongoClient(database.uri);
  await client.connect();
  // One database per run, so a shared MONGODB_URI server is never polluted across runs.
  db = client.db(`contract_${process.pid}_${Date.now()}`);
});

afterAll(async () => {
  if (db && database?.source === 'MONGODB_URI') await db.dropDatabase();
  await client?.close();
  await database?.stop();
});

describe('the chosen database server', () => {
  it('says which server it is', () => {
    expect(['MONGODB_URI', 'mongod', 'mongo-java-server', 'mongodb-memory-server']).toContain(database.source);
    expect(database.description).toContain(database.source);
    expect(database.uri).toMatch(/^mongodb(\+srv)?:\/\//);
  });

  it('answers the driver handshake and ping', async () => {
    expect(await db.command({ ping: 1 })).toMatchObject({ ok: 1 });
  });
});

describe('single-document atomicity (no oversell, no overdraw)', () => {
  interface Stock {
    _id: string;
    available: number;
    reserved: number;
  }

  it('30 concurrent conditional $inc on 3 units modify exactly 3 times', async () => {
    const stock = db.collection<Stock>('stock_plain');
    await stock.insertOne({ _id: 'SKU-1@STORE-1', available: 3, reserved: 0 });

    const results = await Promise.all(
      Array.from({ length: 30 }, () =>
        stock.updateOne({ _id: 'SKU-1@STORE-1', available: { $gte: 1 } }, { $inc: { available: -1, reserved: 1 } }),
      ),
    );

    expect(results.reduce((sum, result) => sum + result.modifiedCount, 0)).toBe(3);
    expect(await stock.findOne({ _id: 'SKU-1@STORE-1' })).toEqual({ _id: 'SKU-1@STORE-1', available: 0, reserved: 3 });
  });

  it('the same with an $expr filter', async () => {
    const stock = db.collection<Stock>('stock_expr');
    await stock.insertOne({ _id: 'SKU-2@STORE-1', available: 3, reserved: 0 });

    const results = await Promise.all(
      Array.from({ length: 30 }, () =>
        stock.updateOne(
          { _id: 'SKU-2@STORE-1', $expr: { $gte: ['$available', 1] } },
          { $inc: { available: -1, reserved: 1 } },
        ),
      ),
    );

    expect(results.reduce((sum, result) => sum + result.modifiedCount, 0)).toBe(3);
    expect(await stock.findOne({ _id: 'SKU-2@STORE-1' })).toEqual({ _id: 'SKU-2@STORE-1', available: 0, reserved: 3 });
  });
});

describe('writes', () => {
  it('a unique index rejects a duplicate with code 11000', async () => {
    const customers = db.collection<{ email: string }>('customers_unique');
    await customers.createIndex({ email: 1 }, { unique: true });
    await customers.insertOne({ email: 'ana@example.mx' });

    const duplicate = await customers.insertOne({ email: 'ana@example.mx' }).then(
      () => null,
      (error: unknown) => error,
    );

    expect(duplicate).toBeInstanceOf(MongoServerError);
    expect((duplicate as MongoServerError).code).toBe(11000);
    expect(await customers.countDocuments({ email: 'ana@example.mx' })).toBe(1);
  });

  it('a sparse unique index allows many documents without the field (instead of partialFilterExpression)', async () => {
    const customers = db.collection<{ name: string; email?: string }>('customers_sparse');
    await customers.createIndex({ email: 1 }, { unique: true, sparse: true });

    await customers.insertMany([{ name: 'no email 1' }, { name: 'no email 2' }, { name: 'ana', email: 'ana@example.mx' }]);
    const duplicate = await customers.insertOne({ name: 'ana again', email: 'ana@example.mx' }).then(
      () => null,
      (error: unknown) => error,
    );

    expect((duplicate as MongoServerError | null)?.code).toBe(11000);
    expect(await customers.countDocuments({})).toBe(3);
  });

  it('findOneAndUpdate with returnDocument "after" returns the updated document', async () => {
    const accounts = db.collection<{ _id: string; points: number }>('accounts_fau');
    await accounts.insertOne({ _id: 'C-1', points: 100 });

    const after = await accounts.findOneAndUpdate(
      { _id: 'C-1', points: { $gte: 40 } },
      { $inc: { points: -40 } },
      { returnDocument: 'after' },
    );
    const refused = await accounts.findOneAndUpdate(
      { _id: 'C-1', points: { $gte: 1000 } },
      { $inc: { points: -1000 } },
      { returnDocument: 'after' },
    );

    expect(after).toEqual({ _id: 'C-1', points: 60 });
    expect(refused).toBeNull();
  });

  it('upsert with $setOnInsert inserts once and leaves the first values alone', async () => {
    const identities = db.collection<{ _id: string; customerId: string; seen: number }>('identities_upsert');

    const first = await identities.updateOne(
      { _id: 'PHONE:+525512345678' },
      { $setOnInsert: { customerId: 'C-1' }, $inc: { seen: 1 } },
      { upsert: true },
    );
    const second = await identities.updateOne(
      { _id: 'PHONE:+525512345678' },
      { $setOnInsert: { customerId: 'C-2' }, $inc: { seen: 1 } },
      { upsert: true },
    );

    expect(first.upsertedId).toBe('PHONE:+525512345678');
    expect(second.upsertedCount).toBe(0);
    expect(await identities.findOne({ _id: 'PHONE:+525512345678' })).toEqual({
      _id: 'PHONE:+525512345678',
      customerId: 'C-1',
      seen: 2,
    });
  });

  it('bulkWrite with upserts', async () => {
    const stock = db.collection<{ _id: string; available: number }>('stock_bulk');
    await stock.insertOne({ _id: 'A@S1', available: 1 });

    const result = await stock.bulkWrite(
      [
        { updateOne: { filter: { _id: 'A@S1' }, update: { $set: { available: 5 } }, upsert: true } },
        { updateOne: { filter: { _id: 'B@S1' }, update: { $set: { available: 7 } }, upsert: true } },
        { replaceOne: { filter: { _id: 'C@S1' }, replacement: { available: 9 }, upsert: true } },
        { insertOne: { document: { _id: 'D@S1', available: 2 } } },
      ],
      { ordered: true },
    );

    expect(result.matchedCount).toBe(1);
    expect(result.upsertedCount).toBe(2);
    expect(result.insertedCount).toBe(1);
    expect(await stock.find({}).sort({ _id: 1 }).toArray()).toEqual([
      { _id: 'A@S1', available: 5 },
      { _id: 'B@S1', available: 7 },
      { _id: 'C@S1', available: 9 },
      { _id: 'D@S1', available: 2 },
    ]);
  });

  it('updateOne with $push and $pull', async () => {
    const carts = db.collection<{ _id: string; tags: string[] }>('tags_push_pull');
    await carts.insertOne({ _id: 'T-1', tags: ['a'] });

    await carts.updateOne({ _id: 'T-1' }, { $push: { tags: { $each: ['b', 'c'] } } });
    await carts.updateOne({ _id: 'T-1' }, { $pull: { tags: 'a' } });

    expect(await carts.findOne({ _id: 'T-1' })).toEqual({ _id: 'T-1', tags: ['b', 'c'] });
  });

  it('deleteMany', async () => {
    const messages = db.collection<{ status: string }>('messages_delete');
    await messages.insertMany([{ status: 'sent' }, { status: 'failed' }, { status: 'failed' }]);

    const result = await messages.deleteMany({ status: 'failed' });

    expect(result.deletedCount).toBe(2);
    expect(await messages.countDocuments({})).toBe(1);
  });
});

describe('reads and aggregation', () => {
  interface Order {
    _id: string;
    customerId: string;
    status: 'PLACED' | 'CANCELLED';
    lines: { sku: string; quantity: number }[];
    total: number;
  }
  interface Product {
    _id: string;
    name: string;
    nameFolded: string;
  }

  beforeAll(async () => {
    await db.collection<Order>('orders').insertMany([
      { _id: 'O-1', customerId: 'C-1', status: 'PLACED', lines: [{ sku: 'A', quantity: 2 }, { sku: 'B', quantity: 1 }], total: 30 },
      { _id: 'O-2', customerId: 'C-1', status: 'PLACED', lines: [{ sku: 'A', quantity: 1 }], total: 10 },
      { _id: 'O-3', customerId: 'C-2', status: 'CANCELLED', lines: [{ sku: 'C', quantity: 5 }], total: 50 },
      { _id: 'O-4', customerId: 'C-2', status: 'PLACED', lines: [{ sku: 'B', quantity: 3 }], total: 45 },
    ]);
    await db.collection<Product>('products').insertMany([
      { _id: 'A', name: 'Café de Olla', nameFolded: 'cafe de olla' },
      { _id: 'B', name: 'Cacao Tabasco', nameFolded: 'cacao tabasco' },
      { _id: 'C', name: 'Mole Poblano', nameFolded: 'mole poblano' },
    ]);
  });

  it('find with $in, sort and limit; countDocuments', async () => {
    const orders = db.collection<Order>('orders');

    const found = await orders.find({ _id: { $in: ['O-1', 'O-3', 'O-9'] } }).sort({ total: -1 }).limit(1).toArray();

    expect(found.map((order) => order._id)).toEqual(['O-3']);
    expect(await orders.countDocuments({ customerId: 'C-1' })).toBe(2);
    expect(await orders.countDocuments({ status: { $in: ['PLACED'] } })).toBe(3);
  });

  it('case-insensitive anchored $regex, as a string with $options or as a bare RegExp', async () => {
    const products = db.collection<Product>('products');

    const withOptions = await products.find({ nameFolded: { $regex: '^CA', $options: 'i' } }).sort({ _id: 1 }).toArray();
    // Not `{ $regex: /^CAF/i }`: mongo-java-server rejects a RegExp inside $regex (see the top of this file).
    const bare = await products.find({ name: /^CAF/i }).toArray();
    const inList = await products.find({ name: { $in: [/^mole/i] } }).toArray();

    expect(withOptions.map((product) => product._id)).toEqual(['A', 'B']);
    expect(bare.map((product) => product._id)).toEqual(['A']);
    expect(inList.map((product) => product._id)).toEqual(['C']);
  });

  it('$match, $group with $sum and $addToSet, $sort, $project', async () => {
    const result = await db
      .collection<Order>('orders')
      .aggregate<{ customerId: string; spent: number; orders: number; statuses: string[] }>([
        { $match: { status: 'PLACED' } },
        { $group: { _id: '$customerId', spent: { $sum: '$total' }, orders: { $sum: 1 }, statuses: { $addToSet: '$status' } } },
        { $sort: { spent: -1 } },
        { $project: { _id: 0, customerId: '$_id', spent: 1, orders: 1, statuses: 1 } },
      ])
      .toArray();

    expect(result).toEqual([
      { customerId: 'C-2', spent: 45, orders: 1, statuses: ['PLACED'] },
      { customerId: 'C-1', spent: 40, orders: 2, statuses: ['PLACED'] },
    ]);
  });

  it('$unwind, $group and $lookup, then $sort + $limit', async () => {
    const result = await db
      .collection<Order>('orders')
      .aggregate<{ _id: string; quantity: number; product: Product[] }>([
        { $match: { status: 'PLACED' } },
        { $unwind: '$lines' },
        { $group: { _id: '$lines.sku', quantity: { $sum: '$lines.quantity' } } },
        { $lookup: { from: 'products', localField: '_id', foreignField: '_id', as: 'product' } },
        { $sort: { quantity: -1, _id: 1 } },
        { $limit: 2 },
      ])
      .toArray();

    expect(result.map(({ _id, quantity }) => ({ _id, quantity }))).toEqual([
      { _id: 'B', quantity: 4 },
      { _id: 'A', quantity: 3 },
    ]);
    expect(result[0]?.product).toEqual([{ _id: 'B', name: 'Cacao Tabasco', nameFolded: 'cacao tabasco' }]);
  });

  it('$facet with $count and a paged list', async () => {
    const [result] = await db
      .collection<Order>('orders')
      .aggregate<{ total: { count: number }[]; page: { _id: string }[] }>([
        { $match: { customerId: { $in: ['C-1', 'C-2'] } } },
        {
          $facet: {
            total: [{ $count: 'count' }],
            page: [{ $sort: { _id: 1 } }, { $limit: 2 }, { $project: { _id: 1 } }],
          },
        },
      ])
      .toArray();

    expect(result).toEqual({ total: [{ count: 4 }], page: [{ _id: 'O-1' }, { _id: 'O-2' }] });
  });

  it('$count on its own', async () => {
    const result = await db
      .collection<Order>('orders')
      .aggregate([{ $match: { status: 'CANCELLED' } }, { $count: 'cancelled' }])
      .toArray();

    expect(result).toEqual([{ cancelled: 1 }]);
  });
});
