/** The resolver map type of this subgraph, so each `resolvers/<Type>.ts` is checked against the context. */
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import type { InventoryContext } from '../context';

/** Resolvers of one or more types of the inventory schema. */
export type InventoryResolvers = GraphQLResolverMap<InventoryContext>;
