/** Mutations of the orders subgraph; each delegates to one operation module, which checks access itself. */
import type { OrdersContext } from '../context';
import { changeCart, type CartChangeArgs } from '../operations/changeCart';
import { placeOrder, type PlaceOrderInput } from '../operations/placeOrder';
import { requestReturn, type ReturnInput } from '../operations/requestReturn';
import { transitionOrder } from '../operations/transitionOrder';
import { toReturnView } from './Return';

/** Resolvers of Mutation. */
export const mutationResolvers = {
  Mutation: {
    addToCart: (_root: unknown, args: CartChangeArgs, context: OrdersContext) => changeCart(context, args, 'ADD'),
    updateCartLine: (_root: unknown, args: CartChangeArgs, context: OrdersContext) => changeCart(context, args, 'SET'),
    placeOrder: (_root: unknown, args: { input: PlaceOrderInput }, context: OrdersContext) => placeOrder(context, args.input),
    cancelOrder: (_root: unknown, args: { id: string }, context: OrdersContext) => transitionOrder(context, args.id, 'cancelOrder'),
    markReadyForPickup: (_root: unknown, args: { id: string }, context: OrdersContext) => transitionOrder(context, args.id, 'markReadyForPickup'),
    completePickup: (_root: unknown, args: { id: string }, context: OrdersContext) => transitionOrder(context, args.id, 'completePickup'),
    markShipped: (_root: unknown, args: { id: string }, context: OrdersContext) => transitionOrder(context, args.id, 'markShipped'),
    markDelivered: (_root: unknown, args: { id: string }, context: OrdersContext) => transitionOrder(context, args.id, 'markDelivered'),
    async requestReturn(_root: unknown, args: { input: ReturnInput }, context: OrdersContext) {
      const { order, record } = await requestReturn(context, args.input);
      return toReturnView(order._id, record);
    },
  },
};
