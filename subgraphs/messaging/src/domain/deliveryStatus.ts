/**
 * Delivery states and the only moves between them. Provider callbacks arrive late, twice and out of
 * order (a "delivered" after a "read"), so every update is conditional on the current state being an
 * earlier one: a message never goes back from READ to DELIVERED.
 */
import { UnreachableCaseError } from '../../../kit/src';

/** Delivery state of a message, as in the SDL. */
export type DeliveryStatus = 'RECEIVED' | 'QUEUED' | 'SENT' | 'DELIVERED' | 'READ' | 'FAILED';

/** The delivery states a provider may report. */
export const PROVIDER_STATUSES = ['QUEUED', 'SENT', 'DELIVERED', 'READ', 'FAILED'] as const;

/** One of {@link PROVIDER_STATUSES}. */
export type ProviderStatus = (typeof PROVIDER_STATUSES)[number];

/** Type guard for statuses read from a webhook body. */
export function isProviderStatus(value: unknown): value is ProviderStatus {
  return typeof value === 'string' && (PROVIDER_STATUSES as readonly string[]).includes(value);
}

/** The states from which a message may move to `next` (empty: it never may). */
export function predecessorsOf(next: ProviderStatus): ProviderStatus[] {
  switch (next) {
    case 'QUEUED':
      return [];
    case 'SENT':
      return ['QUEUED'];
    case 'DELIVERED':
      return ['QUEUED', 'SENT'];
    case 'READ':
      return ['QUEUED', 'SENT', 'DELIVERED'];
    case 'FAILED':
      return ['QUEUED', 'SENT'];
    default:
      throw new UnreachableCaseError(next);
  }
}
