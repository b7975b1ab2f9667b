/** Every resolver of the orders subgraph, one map for `buildSubgraphServer`. */
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import type { OrdersContext } from '../context';
import { cartResolvers } from './Cart';
import { customerResolvers } from './Customer';
import { mutationResolvers } from './Mutation';
import { orderResolvers } from './Order';
import { queryResolvers } from './Query';
import { returnResolvers } from './Return';

/** The resolver map (see module comment). */
export const ordersResolvers = {
  ...queryResolvers,
  ...mutationResolvers,
  ...orderResolvers,
  ...returnResolvers,
  ...cartResolvers,
  ...customerResolvers,
} as unknown as GraphQLResolverMap<OrdersContext>;
