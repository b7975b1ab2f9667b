/**
 * The error a client sees when a subgraph this one depends on (inventory) cannot be reached or does not
 * answer in time. Local to orders because the kit has the code (`SUBGRAPH_UNAVAILABLE`) but no class.
 */
import { DomainError, ErrorCode } from '../../kit/src';

/** Another subgraph did not answer; nothing was written, the request may be retried. */
export class SubgraphUnavailableError extends DomainError {
  constructor(subgraph: string, reason: string) {
    super(ErrorCode.SUBGRAPH_UNAVAILABLE, `The ${subgraph} service is unavailable (${reason}); nothing was changed, try again shortly`, {
      serviceName: subgraph,
    });
  }
}
