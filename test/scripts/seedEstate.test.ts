/**
 * The seed at any scale, against the real database: every collection it writes is announced with its
 * size and advanced to exactly what lands in the database (the progress bar's numbers are true),
 * `reset: 'when-different'` keeps a seed of the same sizes and replaces one of other sizes, and the
 * progress bar writes a redrawn line on a terminal and plain lines elsewhere, with docs/s.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { seedEstate } from '../../scripts/seed/seedEstate';
import { SeedProgressBar, type SeedProgress } from '../../scripts/seed/seedProgress';
import { MongoStore, type LocalDatabase } from '../../subgraphs/kit/src';
import { startTestDatabase } from '../support/testkit';

/** Records what a seed reports. */
function recordingProgress(): SeedProgress & { phases: { label: string; total: number; done: number; unit: string }[] } {
  const phases: { label: string; total: number; done: number; unit: string }[] = [];
  return {
    phases,
    begin: (label, total, unit = 'docs') => void phases.push({ label, total, done: 0, unit }),
    advance: (count) => {
      const current = phases[phases.length - 1];
      if (current) current.done += count;
    },
  };
}

/** A stream that keeps what is written. */
function collectingStream(isTTY: boolean): { isTTY: boolean; columns: number; text: string; write(chunk: string): boolean } {
  return {
    isTTY,
    columns: 160,
    text: '',
    write(chunk: string) {
      this.text += chunk;
      return true;
    },
  };
}

const databaseNameOf = (name: string) => `seedtest_${name}`;

describe('seedEstate', () => {
  let database: LocalDatabase;

  beforeAll(async () => {
    database = await startTestDatabase();
  }, 120_000);

  afterAll(async () => {
    await database?.stop();
  });

  it('reports every collection with its size, and the sizes are what the database holds', async () => {
    const progress = recordingProgress();
    await seedEstate({ uri: database.uri, reset: true, customers: 30, orders: 200, products: 20, databaseNameOf, progress });

    expect(progress.phases[0]).toEqual({ label: 'generating orders', total: 200, done: 200, unit: 'orders' });
    const written = progress.phases.slice(1);
    expect(written.map((phase) => phase.label)).toEqual(expect.arrayContaining(['seedtest_orders.orders', 'seedtest_customers.customers', 'seedtest_messaging.orderChannels']));
    for (const phase of written) {
      expect(phase).toMatchObject({ done: phase.total, unit: 'docs' });
      const [databaseName, collection] = phase.label.split('.') as [string, string];
      const store = await MongoStore.connect({ uri: database.uri, databaseName });
      try {
        expect({ label: phase.label, count: await store.db.collection(collection).countDocuments() }).toEqual({ label: phase.label, count: phase.total });
      } finally {
        await store.close();
      }
    }
  });

  it("with reset 'when-different', keeps a seed of the same sizes and replaces one of other sizes", async () => {
    const same = await seedEstate({ uri: database.uri, reset: 'when-different', customers: 30, orders: 200, products: 20, databaseNameOf });
    expect(Object.values(same)).toEqual(Array(5).fill('already seeded'));
    const other = await seedEstate({ uri: database.uri, reset: 'when-different', customers: 30, orders: 120, products: 20, databaseNameOf });
    expect(Object.values(other)).toEqual(Array(5).fill('seeded'));
    const store = await MongoStore.connect({ uri: database.uri, databaseName: 'seedtest_orders' });
    try {
      expect(await store.db.collection('orders').countDocuments()).toBe(120);
    } finally {
      await store.close();
    }
  });
});

describe('SeedProgressBar', () => {
  it('on a terminal, redraws one line in place and leaves a line per finished collection', () => {
    let now = 1_700_000_000_000;
    const stream = collectingStream(true);
    const bar = new SeedProgressBar({ stream, now: () => now });
    bar.begin('db.orders', 4000);
    for (let i = 0; i < 4; i += 1) {
      now += 500;
      bar.advance(1000);
    }
    bar.finish();
    expect(stream.text).toContain('\r\x1b[2Kdb.orders [');
    expect(stream.text).toContain('db.orders: 4,000 docs in 2.0 s (2,000 docs/s)\n');
    expect(stream.text).toContain('seeded 4,000 documents in 0:02 (2,000 docs/s)\n');
  });

  it('elsewhere, writes plain lines only, one every few seconds', () => {
    let now = 1_700_000_000_000;
    const stream = collectingStream(false);
    const bar = new SeedProgressBar({ stream, now: () => now, lineEveryMs: 5000 });
    bar.begin('db.orders', 150_000);
    for (let i = 0; i < 150; i += 1) {
      now += 100;
      bar.advance(1000);
    }
    bar.finish();
    expect(stream.text).not.toContain('\r');
    expect(stream.text).not.toContain('█');
    const lines = stream.text.trim().split('\n');
    // At 5 s and at 10 s; at 15 s it is done.
    expect(lines.filter((line) => line.startsWith('db.orders ')).length).toBe(2);
    expect(lines).toContain('db.orders: 150,000 docs in 15.0 s (10,000 docs/s)');
  });
});
