/**
 * `npm start`: the whole estate on one machine — the local database (through the one helper), the demo
 * data on first start, the five subgraphs as separate processes, then the gateway. Prints where each
 * listens and how to get a token; Ctrl-C (or SIGTERM) stops everything, gateway first.
 *
 * The database's address is recorded in `.data/database.json` while it runs, so an operator can stop
 * one subgraph and start it again alone with `npm run start:<name>`. `npm run dev` (dev.ts) is the
 * same estate with watch mode; both are built from estate/.
 */
import { repositoryRoot, startLocalDatabase, writeRunningDatabaseRecord, type LocalDatabase } from '../subgraphs/kit/src';
import { EstateProcesses } from './estate/estateProcesses';
import { layOutLocalEstate, printLocalEstateUp, startGatewayProcess, startSubgraphProcesses, stopLocalEstate, stopOnSignals } from './estate/localEstate';
import { seedEstate } from './seed/seedEstate';

const say = (line: string) => process.stdout.write(`[zócalo] ${line}\n`);
const processes = new EstateProcesses({
  root: repositoryRoot(),
  onUnexpectedExit: (name, how) => say(`${name} exited (${how}); the rest keeps running. Restart it with: npm run start:${name}`),
});

async function main(): Promise<void> {
  let database: LocalDatabase | undefined;
  stopOnSignals(processes, say, () => stopLocalEstate(processes, database));

  try {
    database = await startLocalDatabase({ mode: 'persistent', log: say });
    say(`database: ${database.description}`);
    if (database.source !== 'MONGODB_URI') await writeRunningDatabaseRecord(database);

    await seedEstate({ uri: database.uri, log: say });

    const estate = layOutLocalEstate(database.uri);
    await startSubgraphProcesses(processes, estate);
    await startGatewayProcess(processes, estate);
    printLocalEstateUp(say, estate);
  } catch (error) {
    process.stderr.write(`[zócalo] could not start: ${error instanceof Error ? error.message : String(error)}\n`);
    await stopLocalEstate(processes, database);
    process.exit(1);
  }
}

void main();
