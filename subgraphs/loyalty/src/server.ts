/**
 * Builds the loyalty subgraph (does not listen; `index.ts` starts it, tests build it in-process): the
 * schema `schema/loyalty.graphql`, the resolvers, the indexes, and — once listening — the ledger
 * repair (`ledger/ledgerRepair.ts`), which finishes anything a crash interrupted.
 */
import { buildSubgraphServer, type SubgraphBuilder } from '../../kit/src';
import { createLoyaltyContext, type LoyaltyContext } from './context';
import { createLoyaltyEventHandlers } from './events/handlers';
import { loyaltyIndexes } from './indexes';
import { repairLedger } from './ledger/ledgerRepair';
import { createLoyaltyProgram } from './loyaltyProgram';
import { Customer } from './resolvers/Customer';
import { LoyaltyAccount } from './resolvers/LoyaltyAccount';
import { Mutation } from './resolvers/Mutation';
import { Order } from './resolvers/Order';
import { PointsTransaction } from './resolvers/PointsTransaction';

/** Builds the loyalty subgraph over `options.store`. */
export const buildLoyaltyServer: SubgraphBuilder = (options) => {
  const program = createLoyaltyProgram(options.store);
  const server = buildSubgraphServer<LoyaltyContext>(
    {
      name: 'loyalty',
      resolvers: { Mutation, Customer, Order, LoyaltyAccount, PointsTransaction },
      indexes: loyaltyIndexes,
      createContext: (base) => createLoyaltyContext(base, program),
      events: { handlers: createLoyaltyEventHandlers(options.store, program) },
    },
    options,
  );
  return {
    ...server,
    async start(port, host) {
      const url = await server.start(port, host);
      try {
        const report = await repairLedger(program);
        if (report.settledEntries + report.finishedMerges + report.creditedOrders > 0) options.logger.warn('loyalty ledger repaired at start', { ...report });
      } catch (error) {
        // Serving is still right (postings settle themselves); the repair runs again next start.
        options.logger.error('loyalty ledger repair failed at start', { error });
      }
      return url;
    },
  };
};
