/** Every workload of `npm run bench`, by id, in the order they run. */
import { callCentreWorkload } from './callCentreWorkload';
import { checkoutWorkload } from './checkoutWorkload';
import { posWorkload } from './posWorkload';
import { signedInWebWorkload, webWorkload } from './webWorkload';
import type { WorkloadFactory } from './workload';

/**
 * W3 runs last: it writes (orders, reservations, events), and the event deliveries it starts keep the
 * subgraphs busy for a while after it ends.
 */
export const WORKLOADS: Record<string, WorkloadFactory> = {
  W1: posWorkload,
  W2: webWorkload,
  W5: signedInWebWorkload,
  W4: callCentreWorkload,
  W3: checkoutWorkload,
};
