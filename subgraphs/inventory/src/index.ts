/** Starts the inventory subgraph as a process (`npm run start:inventory`). */
import { runSubgraph } from '../../kit/src';
import { buildInventoryServer } from './server';

void runSubgraph('inventory', buildInventoryServer);
