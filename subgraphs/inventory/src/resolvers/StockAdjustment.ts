/** Resolvers of `StockAdjustment`, an entry of the stock audit trail. */
import type { Channel } from '../../../kit/src';
import type { InventoryContext } from '../context';
import type { StockAdjustmentDocument } from '../repositories/stockAdjustmentRepository';
import type { InventoryResolvers } from './resolverTypes';

/** Resolvers of `StockAdjustment`. */
export const stockAdjustmentResolvers: InventoryResolvers = {
  StockAdjustment: {
    id: (adjustment: StockAdjustmentDocument) => adjustment._id,
    channel: (adjustment: StockAdjustmentDocument): Channel => adjustment.channel,
    location: (adjustment: StockAdjustmentDocument, _args: unknown, context: InventoryContext) => context.loaders.location.load(adjustment.locationId),
    resultingOnHand: (adjustment: StockAdjustmentDocument) => adjustment.resultingOnHand ?? null,
  },
};
