/** Starts the loyalty subgraph as a process (`npm run start:loyalty`). */
import { runSubgraph } from '../../kit/src';
import { buildLoyaltyServer } from './server';

void runSubgraph('loyalty', buildLoyaltyServer);
