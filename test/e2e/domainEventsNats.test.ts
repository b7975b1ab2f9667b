/** Domain events end to end on the real estate (domainEventsSuite.ts) over NATS JetStream; fails, saying why, without nats-server. */
import { describeDomainEventsSuite } from './domainEventsSuite';

describeDomainEventsSuite('nats');
