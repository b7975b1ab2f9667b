/**
 * The balance always equals the sum of the ledger: after 1,000 randomised operations (earn, redeem,
 * cancel, return, adjust, enrol, merge — some duplicated, many concurrent), after a simulated crash
 * between the balance change and the ledger write (the repair settles it), and as checked by the
 * `npm run loyalty:verify` script itself.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DomainEvent } from '../../subgraphs/kit/src';
import { repairLedger } from '../../subgraphs/loyalty/src/ledger/ledgerRepair';
import { DedupeKey, transactionIdOf, type LedgerEntry } from '../../subgraphs/loyalty/src/repositories/ledgerRepository';
import { verifyLedger } from '../../subgraphs/loyalty/src/verifyLedger';
import { prng } from '../../scripts/seed/demoDataset';
import { execute, tokenFor } from '../support/testkit';
import { ENROLL, REDEEM, customerEvent, memberWithPoints, newId, orderCancelled, orderPlaced, orderReturned, readLoyalty, startLoyalty, type LoyaltyFixture } from './loyaltyTestkit';

const DATABASE_NAME = 'loyalty_ledger_invariant_test';
let fixture: LoyaltyFixture;

beforeAll(async () => {
  fixture = await startLoyalty(DATABASE_NAME);
});

afterAll(async () => {
  await fixture?.stop();
});

describe('ledger = balance', () => {
  it('holds for every account after 1,000 mixed operations, some duplicated, many concurrent', async () => {
    const random = prng(20261123);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const members = Array.from({ length: 8 }, () => newId('cus'));
    const nonMembers = Array.from({ length: 4 }, () => newId('cus'));
    for (const customerId of members) await memberWithPoints(fixture.loyalty.url, customerId, 0);
    const { handlers, program } = fixture;

    const placedOrders: DomainEvent<'OrderPlaced'>[] = [];
    const history: (() => Promise<unknown>)[] = [];
    const redemptionOutcomes = new Map<string, boolean>();
    let operations = 0;
    let refusals = 0;

    const nextOperation = (): (() => Promise<unknown>) => {
      const roll = random();
      if (roll < 0.3 || placedOrders.length === 0) {
        const placed = orderPlaced(pick([...members, ...members, ...nonMembers]), 10_000 + Math.floor(random() * 400_000), { channel: pick(['STORE', 'WEB', 'APP'] as const) });
        placedOrders.push(placed);
        return () => handlers.OrderPlaced(placed);
      }
      if (roll < 0.55) {
        const customerId = pick(members);
        const key = random() < 0.2 && redemptionOutcomes.size > 0 ? pick([...redemptionOutcomes.keys()]) : `k-${operations}`;
        const [keyCustomer, keyName] = key.includes('|') ? (key.split('|') as [string, string]) : [customerId, key];
        const points = 1 + Math.floor(random() * 150);
        return async () => {
          try {
            await program.redemption.redeem({ customerId: keyCustomer, points, channel: pick(['APP', 'STORE'] as const), idempotencyKey: keyName, actor: { sub: 'associate-1', role: 'ASSOCIATE' } });
            redemptionOutcomes.set(`${keyCustomer}|${keyName}`, true);
          } catch (error) {
            const code = (error as { extensions?: { code?: string } }).extensions?.code;
            if (code !== 'INSUFFICIENT_POINTS' && code !== 'CONFLICT' && code !== 'NOT_FOUND') throw error;
            refusals += 1;
            if (!redemptionOutcomes.has(`${keyCustomer}|${keyName}`)) redemptionOutcomes.set(`${keyCustomer}|${keyName}`, false);
          }
        };
      }
      if (roll < 0.65) {
        const cancelled = orderCancelled(pick(placedOrders));
        return () => handlers.OrderCancelled(cancelled);
      }
      if (roll < 0.77) {
        const placed = pick(placedOrders);
        const returned = orderReturned(placed, Math.floor(random() * placed.payload.totalCents * 0.6));
        return () => handlers.OrderReturned(returned);
      }
      if (roll < 0.87) {
        const customerId = pick(members);
        const points = Math.floor(random() * 200) - 80 || 1;
        return async () => {
          try {
            await program.adjustment.adjust({ customerId, points, reason: 'prueba aleatoria', channel: 'CALL_CENTER', actor: { sub: 'admin-1', role: 'ADMIN' } });
          } catch (error) {
            const code = (error as { extensions?: { code?: string } }).extensions?.code;
            if (code !== 'INSUFFICIENT_POINTS' && code !== 'NOT_FOUND') throw error;
            refusals += 1;
          }
        };
      }
      if (roll < 0.9) {
        const customerId = pick(nonMembers);
        return () => program.enrolment.enroll(customerId, 'APP');
      }
      if (roll < 0.91 && members.length > 4) {
        // Merge a member into another one; the duplicate stays in the pool, so later events about it are forwarded.
        const duplicateId = members[members.length - 1] as string;
        const survivorId = members[0] as string;
        members.pop();
        const merged = customerEvent('CustomerMerged', { survivorId, duplicateId });
        return () => handlers.CustomerMerged(merged);
      }
      // A duplicate of an earlier operation (redelivery, client retry).
      return pick(history);
    };

    while (operations < 1_000) {
      const batchSize = 1 + Math.floor(random() * 50);
      const batch: (() => Promise<unknown>)[] = [];
      for (let i = 0; i < batchSize && operations < 1_000; i += 1, operations += 1) {
        const operation = history.length > 0 && random() < 0.1 ? pick(history) : nextOperation();
        history.push(operation);
        batch.push(operation);
        // Some operations are sent twice at the same moment.
        if (random() < 0.1) batch.push(operation);
      }
      await Promise.all(batch.map((operation) => operation()));
    }

    const verification = await verifyLedger(fixture.loyalty.store);
    expect(verification.mismatches).toEqual([]);
    expect(verification.orphans).toEqual([]);
    expect(verification.ok).toBe(true);
    expect(verification.unsettledEntries).toBe(0);
    // Each order earned at most once; each successful redemption key is exactly one REDEEM entry.
    const ledger = fixture.program.ledger.collection;
    const earns = await ledger.find({ kind: 'EARN' }, { projection: { orderId: 1 } }).toArray();
    expect(new Set(earns.map((entry) => entry.orderId)).size).toBe(earns.length);
    const redeemed = [...redemptionOutcomes.entries()].filter(([, ok]) => ok).map(([key]) => key);
    expect(await ledger.countDocuments({ kind: 'REDEEM' })).toBe(redeemed.length);
    // It was a real mix: everything happened, and some requests were refused.
    for (const kind of ['EARN', 'REDEEM', 'REVERSE', 'ADJUST'] as const) expect(await ledger.countDocuments({ kind })).toBeGreaterThan(10);
    expect(refusals).toBeGreaterThan(0);
  });

  it('a crash between the balance change and the ledger write is explained by the account and settled by the repair', async () => {
    const customerId = newId('cus');
    await memberWithPoints(fixture.loyalty.url, customerId, 0);
    const placed = orderPlaced(customerId, 70_000);
    const dedupeKey = DedupeKey.earn(placed.payload.orderId);
    const entry: LedgerEntry = { _id: transactionIdOf(dedupeKey), dedupeKey, customerId, kind: 'EARN', points: 70, channel: 'STORE', orderId: placed.payload.orderId, orderPlacedAt: new Date(), at: new Date() };
    // Step 3 of pointsLedger.ts done, step 4 not: exactly what a crash in between leaves behind.
    await fixture.program.accounts.collection.updateOne(
      { _id: customerId },
      { $inc: { points: 70, lifetimePoints: 70, version: 1 }, $push: { appliedTxIds: entry._id, unsettled: entry } },
    );

    const before = await verifyLedger(fixture.loyalty.store);
    expect(before.ok).toBe(true);
    expect(before.unsettledEntries).toBe(1);
    // The redelivered event does not earn twice (the account remembers), and settles the entry.
    await fixture.handlers.OrderPlaced(placed);
    expect((await readLoyalty(fixture.loyalty.url, customerId))?.points).toBe(70);
    expect(await fixture.program.ledger.collection.countDocuments({ orderId: placed.payload.orderId })).toBe(1);

    // The same crash again, this time settled by the repair.
    const second = { ...entry, _id: transactionIdOf(DedupeKey.earn('ord_crash_2')), dedupeKey: DedupeKey.earn('ord_crash_2'), orderId: 'ord_crash_2' };
    await fixture.program.accounts.collection.updateOne({ _id: customerId }, { $inc: { points: 70, lifetimePoints: 70 }, $push: { appliedTxIds: second._id, unsettled: second } });
    const report = await repairLedger(fixture.program);
    expect(report.settledEntries).toBe(1);
    const after = await verifyLedger(fixture.loyalty.store);
    expect(after).toMatchObject({ ok: true, unsettledEntries: 0 });
    expect((await readLoyalty(fixture.loyalty.url, customerId))?.transactions.totalCount).toBe(2);
  });

  it('the repair finishes a merge interrupted after the duplicate was frozen', async () => {
    const survivorId = newId('cus');
    const duplicateId = newId('cus');
    await memberWithPoints(fixture.loyalty.url, survivorId, 10);
    await memberWithPoints(fixture.loyalty.url, duplicateId, 25);
    await fixture.program.accounts.collection.updateOne({ _id: duplicateId }, { $set: { status: 'MERGED', mergedInto: survivorId } });

    const report = await repairLedger(fixture.program);

    expect(report.finishedMerges).toBeGreaterThanOrEqual(1);
    expect((await readLoyalty(fixture.loyalty.url, survivorId))?.points).toBe(35);
    expect((await verifyLedger(fixture.loyalty.store)).ok).toBe(true);
  });

  it('`npm run loyalty:verify` prints a summary, exits 0 when the ledger matches and 1 on any mismatch', async () => {
    const root = path.resolve(__dirname, '../..');
    // Through npm, so the package.json script itself is what is proven.
    const run = (): Promise<{ code: number; stdout: string }> =>
      promisify(execFile)('npm', ['run', '-s', 'loyalty:verify'], {
        cwd: root,
        env: { ...process.env, MONGODB_URI: fixture.database.uri, MONGODB_DB: DATABASE_NAME },
      }).then(
        ({ stdout }) => ({ code: 0, stdout }),
        (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
      );

    const clean = await run();
    expect(clean.code).toBe(0);
    expect(clean.stdout).toMatch(/OK: every balance equals the sum of its ledger/);

    const customerId = newId('cus');
    await execute(fixture.loyalty.url, ENROLL, { customerId, channel: 'APP' }, tokenFor('AGENT'));
    await fixture.program.accounts.collection.updateOne({ _id: customerId }, { $inc: { points: 5 } });
    const broken = await run();
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain(`MISMATCH ${customerId}`);
    await fixture.program.accounts.collection.updateOne({ _id: customerId }, { $inc: { points: -5 } });
    // The corrupted balance is not spendable beyond what the ledger holds once restored.
    const redeem = await execute(fixture.loyalty.url, REDEEM, { customerId, points: 1, channel: 'APP', idempotencyKey: 'after-fix' }, tokenFor('AGENT'));
    expect(redeem.errors?.[0]?.extensions?.code).toBe('INSUFFICIENT_POINTS');
  });
});
