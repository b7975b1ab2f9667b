/**
 * The ledger check: for every account, the balance equals the sum of its ledger entries (plus the
 * entries it applied and has not yet copied to the ledger, see `ledger/pointsLedger.ts`), and the
 * lifetime points equal the sum of its EARN and REVERSE entries; no ledger entry names a customer
 * without an account.
 *
 * As a script (`npm run loyalty:verify`, i.e. `tsx subgraphs/loyalty/src/verifyLedger.ts`): connects
 * to `MONGODB_URI` or the database a running `npm start` recorded, database `MONGODB_DB` (default
 * `zocalo_loyalty`), prints a summary and exits 1 on any mismatch. `--repair` first finishes what a
 * crash interrupted (`ledger/ledgerRepair.ts`).
 */
import { MongoStore, databaseNameOf, resolveMongoUri } from '../../kit/src';
import { repairLedger } from './ledger/ledgerRepair';
import { createLoyaltyProgram } from './loyaltyProgram';
import { AccountRepository } from './repositories/accountRepository';
import { EARNING_KINDS, LedgerRepository, type LedgerEntry } from './repositories/ledgerRepository';

/** An account whose figures do not match its ledger. */
export interface LedgerMismatch {
  customerId: string;
  status: string;
  points: number;
  ledgerPoints: number;
  lifetimePoints: number;
  ledgerLifetimePoints: number;
}

/** The result of {@link verifyLedger}. */
export interface LedgerVerification {
  /** True when there is no mismatch and no orphan. */
  ok: boolean;
  accounts: number;
  activeAccounts: number;
  ledgerEntries: number;
  /** Entries of erased customers (kept as anonymous accounting facts). */
  anonymousEntries: number;
  /** Entries applied to an account and not yet copied to the ledger (counted on the ledger's side). */
  unsettledEntries: number;
  /** Sum of all balances. */
  totalPoints: number;
  mismatches: LedgerMismatch[];
  /** Customers with ledger entries but no account. */
  orphans: { customerId: string; points: number; entries: number }[];
}

/** Checks every account against the ledger (see module comment). Two reads of the ledger, one of accounts. */
export async function verifyLedger(store: MongoStore): Promise<LedgerVerification> {
  const ledger = new LedgerRepository(store);
  const accounts = new AccountRepository(store);
  const [sums, balances] = await Promise.all([ledger.sumsByCustomer(), accounts.findBalances()]);

  const unsettled = balances.flatMap((account) => account.unsettled ?? []);
  const settledIds = new Set((await ledger.findByIds(unsettled.map((entry) => entry._id))).map((entry) => entry._id));
  const pendingByCustomer = new Map<string, LedgerEntry[]>();
  for (const account of balances) {
    pendingByCustomer.set(account._id, (account.unsettled ?? []).filter((entry) => !settledIds.has(entry._id)));
  }

  const sumByCustomer = new Map(sums.map((sum) => [sum.customerId, sum]));
  const mismatches: LedgerMismatch[] = [];
  for (const account of balances) {
    const sum = sumByCustomer.get(account._id);
    const pending = pendingByCustomer.get(account._id) ?? [];
    const ledgerPoints = (sum?.points ?? 0) + pending.reduce((total, entry) => total + entry.points, 0);
    const ledgerLifetimePoints =
      (sum?.earnedPoints ?? 0) + pending.filter((entry) => EARNING_KINDS.includes(entry.kind)).reduce((total, entry) => total + entry.points, 0);
    if (account.points !== ledgerPoints || (account.lifetimePoints ?? 0) !== ledgerLifetimePoints) {
      mismatches.push({ customerId: account._id, status: account.status, points: account.points, ledgerPoints, lifetimePoints: account.lifetimePoints ?? 0, ledgerLifetimePoints });
    }
  }

  const accountIds = new Set(balances.map((account) => account._id));
  const orphans = sums
    .filter((sum): sum is typeof sum & { customerId: string } => sum.customerId !== null && !accountIds.has(sum.customerId))
    .map((sum) => ({ customerId: sum.customerId, points: sum.points, entries: sum.entries }));

  return {
    ok: mismatches.length === 0 && orphans.length === 0,
    accounts: balances.length,
    activeAccounts: balances.filter((account) => account.status === 'ACTIVE').length,
    ledgerEntries: sums.reduce((total, sum) => total + sum.entries, 0),
    anonymousEntries: sums.find((sum) => sum.customerId === null)?.entries ?? 0,
    unsettledEntries: [...pendingByCustomer.values()].reduce((total, entries) => total + entries.length, 0),
    totalPoints: balances.reduce((total, account) => total + account.points, 0),
    mismatches,
    orphans,
  };
}

/** The script (see module comment). */
async function main(argv: readonly string[]): Promise<void> {
  const print = (line: string) => process.stdout.write(`${line}\n`);
  const uri = await resolveMongoUri(print);
  const databaseName = process.env.MONGODB_DB ?? databaseNameOf('loyalty');
  const store = await MongoStore.connect({ uri, databaseName });
  try {
    if (argv.includes('--repair')) {
      const repair = await repairLedger(createLoyaltyProgram(store));
      print(`repair: settled ${repair.settledEntries} entries, finished ${repair.finishedMerges} merges, credited ${repair.creditedOrders} pending orders`);
    }
    const result = await verifyLedger(store);
    print(
      `loyalty ledger of ${databaseName}: ${result.accounts} accounts (${result.activeAccounts} active), ${result.ledgerEntries} entries ` +
        `(${result.anonymousEntries} anonymous, ${result.unsettledEntries} unsettled), ${result.totalPoints} points outstanding`,
    );
    for (const mismatch of result.mismatches.slice(0, 50)) {
      print(`MISMATCH ${mismatch.customerId} (${mismatch.status}): balance ${mismatch.points} vs ledger ${mismatch.ledgerPoints}; lifetime ${mismatch.lifetimePoints} vs ledger ${mismatch.ledgerLifetimePoints}`);
    }
    for (const orphan of result.orphans.slice(0, 50)) print(`ORPHAN ${orphan.customerId}: ${orphan.entries} entries, ${orphan.points} points, no account`);
    print(result.ok ? 'OK: every balance equals the sum of its ledger' : `FAILED: ${result.mismatches.length} mismatches, ${result.orphans.length} orphans (try --repair)`);
    process.exitCode = result.ok ? 0 : 1;
  } finally {
    await store.close();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`loyalty:verify failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
