/**
 * The pieces `npm start` and `npm run dev` share: where each process of the estate listens and with
 * which environment, starting one subgraph or the gateway and waiting until it is ready, the welcome
 * text, and the Ctrl-C/SIGTERM stop (gateway first, then the subgraphs, then the database).
 */
import {
  DEFAULT_PORTS,
  SUBGRAPH_NAMES,
  removeRunningDatabaseRecord,
  type LocalDatabase,
  type SubgraphName,
} from '../../subgraphs/kit/src';
import { readPort } from '../../subgraphs/kit/src/config';
import { GATEWAY_NODE_FLAGS } from '../../gateway/src/nodeFlags';
import { waitUntilReady, type EstateProcesses } from './estateProcesses';

/** Where each process of a local estate listens, and the environment it gets. */
export interface LocalEstate {
  subgraphs: { name: SubgraphName; port: number }[];
  gatewayPort: number;
  /** Every subgraph's environment, less `PORT`. */
  env: NodeJS.ProcessEnv;
  /** The gateway's environment: `PORT` and each `<NAME>_URL` (unless given). */
  gatewayEnv: NodeJS.ProcessEnv;
}

/**
 * Lays the estate out from the operator's environment: ports from `GATEWAY_PORT` and `<NAME>_PORT`
 * (defaults 4000–4005), every process on the database at `databaseUri`.
 */
export function layOutLocalEstate(databaseUri: string, baseEnv: NodeJS.ProcessEnv = process.env): LocalEstate {
  const env: NodeJS.ProcessEnv = { ...baseEnv, MONGODB_URI: databaseUri };
  delete env.PORT;
  const subgraphs = SUBGRAPH_NAMES.map((name) => ({ name, port: readPort(baseEnv, `${name.toUpperCase()}_PORT`, DEFAULT_PORTS[name]) }));
  const gatewayPort = readPort(baseEnv, 'GATEWAY_PORT', DEFAULT_PORTS.gateway);
  const gatewayEnv: NodeJS.ProcessEnv = { ...env, PORT: String(gatewayPort) };
  for (const { name, port } of subgraphs) gatewayEnv[`${name.toUpperCase()}_URL`] ??= `http://127.0.0.1:${port}/graphql`;
  return { subgraphs, gatewayPort, env, gatewayEnv };
}

/** Starts subgraph `name` and resolves once its `/ready` answers (its database is reachable). */
export async function startSubgraphProcess(processes: EstateProcesses, estate: LocalEstate, name: SubgraphName): Promise<void> {
  const port = portOf(estate, name);
  const child = processes.start(name, `subgraphs/${name}/src/index.ts`, { ...estate.env, PORT: String(port) });
  await waitUntilReady(name, `http://127.0.0.1:${port}/ready`, child);
}

/** Starts the five subgraphs together and resolves once every one is ready. */
export async function startSubgraphProcesses(processes: EstateProcesses, estate: LocalEstate): Promise<void> {
  await Promise.all(estate.subgraphs.map(({ name }) => startSubgraphProcess(processes, estate, name)));
}

/** Starts the gateway and resolves once its `/health` answers. */
export async function startGatewayProcess(processes: EstateProcesses, estate: LocalEstate): Promise<void> {
  const child = processes.start('gateway', 'gateway/src/index.ts', estate.gatewayEnv, GATEWAY_NODE_FLAGS);
  await waitUntilReady('gateway', `http://127.0.0.1:${estate.gatewayPort}/health`, child);
}

/** Prints where everything listens and how to get a token. */
export function printLocalEstateUp(say: (line: string) => void, estate: LocalEstate): void {
  say('');
  say(`Zócalo is up: http://localhost:${estate.gatewayPort}/graphql`);
  for (const { name, port } of estate.subgraphs) say(`  ${name.padEnd(10)} http://localhost:${port}/graphql`);
  say('Get a token:  npm run token -- --role AGENT      (roles: CUSTOMER ASSOCIATE AGENT ANALYST ADMIN SERVICE)');
  say(`Try:          curl -s localhost:${estate.gatewayPort}/graphql -H 'content-type: application/json' -d '{"query":"{ products(first: 3) { nodes { sku name price { amount } } } }"}'`);
  say('Ctrl-C stops everything.');
}

/** Stops the processes (gateway first), then the database this script started and its record. */
export async function stopLocalEstate(processes: EstateProcesses, database: LocalDatabase | undefined): Promise<void> {
  await processes.stopAll();
  if (database) {
    await removeRunningDatabaseRecord();
    await database.stop();
  }
}

/**
 * On the first SIGINT or SIGTERM: says so, runs `stop`, and exits (0, or 1 when stopping failed).
 * Later signals are ignored — the children got Ctrl-C too and are already draining.
 */
export function stopOnSignals(processes: EstateProcesses, say: (line: string) => void, stop: () => Promise<void>): void {
  const shutdown = (signal: string) => {
    if (processes.stopping) return;
    say(`${signal}: stopping the gateway, the subgraphs and the database…`);
    stop()
      .then(() => process.exit(0))
      .catch(() => process.exit(1));
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

// Private: the estate was laid out from SUBGRAPH_NAMES, so every name has a port.
function portOf(estate: LocalEstate, name: SubgraphName): number {
  const entry = estate.subgraphs.find((subgraph) => subgraph.name === name);
  if (!entry) throw new Error(`no port laid out for subgraph ${JSON.stringify(name)}`);
  return entry.port;
}
