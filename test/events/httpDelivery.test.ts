/** The delivery suite (deliverySuite.ts) over HTTP push, the default transport. */
import { describeDeliverySuite } from './deliverySuite';

describeDeliverySuite('http');
