/** Starts the customers subgraph as its own process (`npm run start:customers`). */
import { runSubgraph } from '../../kit/src';
import { buildCustomersServer } from './server';

void runSubgraph('customers', buildCustomersServer);
