/** Domain events end to end on the real estate (domainEventsSuite.ts) over HTTP push, the default transport. */
import { describeDomainEventsSuite } from './domainEventsSuite';

describeDomainEventsSuite('http');
