/**
 * `npm run dev`: `npm start` with watch mode. The same estate (database, demo data, five subgraphs as
 * processes, gateway; estate/), started the same way, then watched (dev/devWatch.ts):
 *
 * - saving a subgraph's code restarts that subgraph only; saving the kit's restarts them all, then
 *   the gateway; saving the gateway's code or an operation in `operations/` restarts the gateway;
 * - saving `schema/<name>.graphql` recomposes `schema/supergraph.graphql` (as `npm run compose` would),
 *   restarts `<name>` on its new SDL, and the gateway hot-reloads the supergraph without a restart; a
 *   composition error is printed and nothing is written, so the gateway keeps the last good one.
 *
 * At start the supergraph is composed once, so SDLs edited while nothing ran are served. Ctrl-C stops
 * the watcher, then everything as `npm start` does.
 */
import { join } from 'node:path';
import { isSubgraphName, repositoryRoot, schemaPath, startLocalDatabase, writeRunningDatabaseRecord, type LocalDatabase } from '../subgraphs/kit/src';
import type { EstateProcessName } from './dev/devPlan';
import { startDevWatch, type DevWatch } from './dev/devWatch';
import { recompose, writeSupergraphFile } from './dev/recomposition';
import { EstateProcesses } from './estate/estateProcesses';
import {
  layOutLocalEstate,
  printLocalEstateUp,
  startGatewayProcess,
  startSubgraphProcess,
  startSubgraphProcesses,
  stopLocalEstate,
  stopOnSignals,
  type LocalEstate,
} from './estate/localEstate';
import { seedEstate } from './seed/seedEstate';

const say = (line: string) => process.stdout.write(`[zócalo] ${line}\n`);
const root = repositoryRoot();
const supergraphPath = schemaPath('supergraph.graphql');
const processes = new EstateProcesses({
  root,
  onUnexpectedExit: (name, how) => say(`${name} exited (${how}); dev starts it again when you save one of its files`),
});

async function main(): Promise<void> {
  let database: LocalDatabase | undefined;
  let watch: DevWatch | undefined;
  stopOnSignals(processes, say, () => {
    // Not awaited: a restart in progress must not delay Ctrl-C; stopping the processes ends it.
    void watch?.close();
    return stopLocalEstate(processes, database);
  });

  try {
    database = await startLocalDatabase({ mode: 'persistent', log: say });
    say(`database: ${database.description}`);
    if (database.source !== 'MONGODB_URI') await writeRunningDatabaseRecord(database);

    await seedEstate({ uri: database.uri, log: say });

    const estate = servingComposedSupergraph(layOutLocalEstate(database.uri));
    composeAtStart();
    await startSubgraphProcesses(processes, estate);
    await startGatewayProcess(processes, estate);
    watch = startDevWatch({ root, supergraphPath, say, restart: (names) => restartProcesses(estate, names) });
    printLocalEstateUp(say, estate);
    say('Watch mode: saving subgraphs/<name>/src restarts that subgraph; schema/<name>.graphql recomposes the');
    say('supergraph and the gateway hot-reloads it; gateway/src or operations/ restarts the gateway.');
  } catch (error) {
    process.stderr.write(`[zócalo] could not start: ${error instanceof Error ? error.message : String(error)}\n`);
    void watch?.close();
    await stopLocalEstate(processes, database);
    process.exit(1);
  }
}

/** The gateway serves and watches the supergraph dev writes, whatever `SUPERGRAPH_*` the shell has. */
function servingComposedSupergraph(estate: LocalEstate): LocalEstate {
  const gatewayEnv: NodeJS.ProcessEnv = { ...estate.gatewayEnv, SUPERGRAPH_PATH: supergraphPath, SUPERGRAPH_WATCH: 'true' };
  delete gatewayEnv.SUPERGRAPH_URL;
  return { ...estate, gatewayEnv };
}

/** Composes once before the gateway starts; on failure the checked-in supergraph is served. */
function composeAtStart(): void {
  say('composing the supergraph from schema/<name>.graphql…');
  const sdl = recompose(join(root, 'schema'), say);
  if (sdl !== null && writeSupergraphFile(supergraphPath, sdl)) say('schema/supergraph.graphql was stale: recomposed (commit it with your SDL change)');
}

/** Restarts subgraphs together, then the gateway; a process that does not come back is reported, not fatal. */
async function restartProcesses(estate: LocalEstate, names: readonly EstateProcessName[]): Promise<void> {
  await Promise.all(names.filter(isSubgraphName).map((name) => restartProcess(name, () => startSubgraphProcess(processes, estate, name))));
  if (names.includes('gateway')) await restartProcess('gateway', () => startGatewayProcess(processes, estate));
}

// Private: stop, start, wait until ready, and say how long it took — or why it did not come back.
async function restartProcess(name: EstateProcessName, start: () => Promise<void>): Promise<void> {
  if (processes.stopping) return;
  const began = Date.now();
  say(`restarting ${name}…`);
  await processes.stop(name);
  try {
    await start();
    say(`${name} restarted in ${((Date.now() - began) / 1000).toFixed(1)} s`);
  } catch (error) {
    if (processes.stopping) return;
    say(`✗ ${name} did not come back: ${error instanceof Error ? error.message : String(error)}. Fix it and save: dev starts it again.`);
  }
}

void main();
