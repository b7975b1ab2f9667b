/** `Customer.contactPreferences` for many customers in one round trip, in the contract's channel order. */
import { CHANNELS, createGroupedLoader } from '../../../kit/src';
import type { ContactPreferenceDocument, ContactPreferenceRepository } from '../repositories/contactPreferenceRepository';

/** A per-request loader of customer id → preferences. */
export function createContactPreferenceLoader(preferences: ContactPreferenceRepository) {
  return createGroupedLoader<string, ContactPreferenceDocument>(
    async (customerIds) => (await preferences.findForCustomers(customerIds)).sort((a, b) => CHANNELS.indexOf(a.channel) - CHANNELS.indexOf(b.channel)),
    (preference) => preference.customerId,
  );
}
