/**
 * The typed resolvers in `generated/<subgraph>/resolvers.ts` are what `npm run codegen` makes from the
 * SDLs today (run it when this fails), and they type-check: this file imports them, so `tsc --noEmit`
 * compiles them and the resolver maps below against them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { SUBGRAPH_NAMES, repositoryRoot } from '../../subgraphs/kit/src';
import { generateResolverTypes, generatedResolversPath } from '../../scripts/schema/resolverTypes';
import type { Resolvers as CustomersResolvers } from '../../generated/customers/resolvers';
import type { Resolvers as InventoryResolvers } from '../../generated/inventory/resolvers';
import type { Resolvers as LoyaltyResolvers } from '../../generated/loyalty/resolvers';
import type { Resolvers as MessagingResolvers } from '../../generated/messaging/resolvers';
import type { Resolvers as OrdersResolvers } from '../../generated/orders/resolvers';

/**
 * What a team writes with the generated types: arguments are typed from its SDL, and a wrong argument
 * fails `tsc --noEmit` (the `@ts-expect-error` lines fail it if they stop being errors).
 */
const typedMaps = {
  customers: {
    Query: {
      customer: (_root, args) => {
        // @ts-expect-error — `customer(id:)` has no `phone` argument.
        void args.phone;
        return args.id === '' ? null : null;
      },
    },
  } satisfies CustomersResolvers,
  inventory: { Query: { product: (_root, args) => (args.sku.length > 0 ? null : null) } } satisfies InventoryResolvers,
  orders: { Query: { order: (_root, args) => (args.id.length > 0 ? null : null) } } satisfies OrdersResolvers,
  loyalty: {
    Mutation: {
      redeemPoints: (_root, args) => {
        // @ts-expect-error — `points` is an Int: a number, not a string.
        const points: string = args.points;
        throw new Error(`not called ${points}`);
      },
    },
  } satisfies LoyaltyResolvers,
  messaging: { Query: { conversation: (_root, args) => (args.id.length > 0 ? null : null) } } satisfies MessagingResolvers,
};

describe('generated resolver types', () => {
  it('are current with the SDLs (run `npm run codegen` when this fails)', async () => {
    const fresh = await generateResolverTypes(SUBGRAPH_NAMES);
    expect([...fresh.keys()].sort()).toEqual(SUBGRAPH_NAMES.map(generatedResolversPath).sort());
    for (const [path, content] of fresh) {
      expect({ path, current: readFileSync(join(repositoryRoot(), path), 'utf8') === content }).toEqual({ path, current: true });
    }
  }, 60_000);

  it('type every subgraph, with federation reference resolvers for its entities', () => {
    expect(Object.keys(typedMaps).sort()).toEqual([...SUBGRAPH_NAMES].sort());
    for (const [name, entity] of [['customers', 'Customer'], ['inventory', 'Product'], ['orders', 'Order'], ['messaging', 'Conversation']] as const) {
      // federation: true adds `__resolveReference` to the resolvers of each entity a subgraph owns.
      const text = readFileSync(join(repositoryRoot(), generatedResolversPath(name)), 'utf8');
      expect({ name, reference: new RegExp(`export type ${entity}Resolvers[^;]*?__resolveReference`).test(text) }).toEqual({ name, reference: true });
    }
  });
});
