/**
 * `npm run seed [-- --reset] [--customers N] [--orders N] [--products N]`: seeds the database of a
 * running `npm start` or `npm run db` (or MONGODB_URI); with neither, starts the local persistent
 * database itself, seeds it and stops it again. Progress (a bar on a terminal, a line every few seconds
 * otherwise) and throughput in documents per second go to stderr; the log to stdout.
 *
 * At scale (`--customers 100000 --orders 1000000`) the whole dataset is generated in memory first
 * (about 1 GB of Node heap for a million orders) and each collection is written in batches of 1,000.
 */
import { parseArgs } from 'node:util';
import { readRunningDatabaseRecord, startLocalDatabase, type LocalDatabase } from '../subgraphs/kit/src';
import { seedEstate } from './seed/seedEstate';
import { SeedProgressBar } from './seed/seedProgress';

function count(raw: string | undefined, flag: string): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    process.stderr.write(`${flag} must be a positive whole number, got ${JSON.stringify(raw)}\n`);
    process.exit(2);
  }
  return value;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { reset: { type: 'boolean', default: false }, customers: { type: 'string' }, orders: { type: 'string' }, products: { type: 'string' } },
    strict: true,
  });
  const log = (line: string) => process.stdout.write(`${line}\n`);
  let owned: LocalDatabase | undefined;
  let uri = process.env.MONGODB_URI;
  if (!uri) {
    const running = await readRunningDatabaseRecord();
    if (running) {
      uri = running.uri;
      log(`using the database of the running estate (${running.source}) at ${running.uri}`);
    } else {
      owned = await startLocalDatabase({ mode: 'persistent', log });
      uri = owned.uri;
    }
  }
  try {
    const customers = count(values.customers, '--customers');
    const orders = count(values.orders, '--orders');
    const products = count(values.products, '--products');
    const progress = new SeedProgressBar();
    const outcome = await seedEstate({
      uri,
      reset: values.reset ?? false,
      log,
      progress,
      ...(customers !== undefined ? { customers } : {}),
      ...(orders !== undefined ? { orders } : {}),
      ...(products !== undefined ? { products } : {}),
    });
    progress.finish();
    for (const [name, result] of Object.entries(outcome)) log(`${name}: ${result}`);
    if (Object.values(outcome).includes('already seeded')) log('Run `npm run seed -- --reset` to rebuild the demo data.');
  } finally {
    await owned?.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`seed failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
