/** Starts the messaging subgraph as a process (`npm run start:messaging`). */
import { runSubgraph } from '../../kit/src';
import { buildMessagingServer } from './server';

void runSubgraph('messaging', buildMessagingServer);
