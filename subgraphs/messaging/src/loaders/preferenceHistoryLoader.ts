/** `Customer.contactPreferenceHistory(channel, first)` for many customers in one round trip per (channel, first). */
import DataLoader from 'dataloader';
import type { Channel } from '../../../kit/src';
import type { PreferenceChangeDocument, PreferenceHistoryRepository } from '../repositories/preferenceHistoryRepository';
import { argumentKeyedLoaders } from './argumentKeyedLoaders';

/** Per request: `(channel, first)` → loader of customer id → changes, newest first. */
export function createPreferenceHistoryLoaders(history: PreferenceHistoryRepository) {
  const loaders = argumentKeyedLoaders<string, PreferenceChangeDocument[]>((argumentsKey) => {
    const [channel, first] = JSON.parse(argumentsKey) as [Channel | null, number];
    return new DataLoader<string, PreferenceChangeDocument[]>(async (customerIds) => {
      const byCustomer = new Map<string, PreferenceChangeDocument[]>(customerIds.map((id) => [id, []]));
      for (const change of await history.findForCustomers(customerIds, channel)) {
        const list = byCustomer.get(change.customerId);
        if (list && list.length < first) list.push(change);
      }
      return customerIds.map((id) => byCustomer.get(id) ?? []);
    });
  });
  return (channel: Channel | null, first: number) => loaders(JSON.stringify([channel, first]));
}
