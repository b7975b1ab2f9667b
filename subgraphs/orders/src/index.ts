/** Starts the orders subgraph as a process (`npm run start:orders`). */
import { runSubgraph } from '../../kit/src';
import { buildOrdersServer } from './server';

void runSubgraph('orders', buildOrdersServer);
