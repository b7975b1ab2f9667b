/** The delivery suite (deliverySuite.ts) over NATS JetStream; fails, saying what to install, when nats-server is not on PATH. */
import { describeDeliverySuite } from './deliverySuite';

describeDeliverySuite('nats');
