/**
 * Zócalo's gateway on a supergraph that is not Zócalo's (written to a temporary file, as an operator's
 * `SUPERGRAPH_PATH` would be), with the test signing key: for the tests of foreign supergraphs.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readGatewayConfig } from '../../gateway/src/config';
import { buildGateway, type GatewayServer } from '../../gateway/src/server';
import { createLogger } from '../../subgraphs/kit/src';
import { testAuth } from './testkit';

/** A started gateway, its GraphQL URL, and a stop that also removes the supergraph file. */
export interface SupergraphGateway {
  gateway: GatewayServer;
  url: string;
  stop(): Promise<void>;
}

/** Starts the gateway on `supergraphSdl` (port chosen by the system); `env` adds settings. */
export async function startSupergraphGateway(supergraphSdl: string, env: NodeJS.ProcessEnv = {}): Promise<SupergraphGateway> {
  const directory = mkdtempSync(path.join(tmpdir(), 'zocalo-supergraph-'));
  const supergraphPath = path.join(directory, 'supergraph.graphql');
  writeFileSync(supergraphPath, supergraphSdl);
  const config = { ...readGatewayConfig({ PORT: '0', ...env, SUPERGRAPH_PATH: supergraphPath }), auth: testAuth };
  const gateway = buildGateway({ config, logger: createLogger('gateway', 'silent') });
  try {
    const url = await gateway.start();
    return {
      gateway,
      url,
      async stop() {
        await gateway.stop();
        rmSync(directory, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(directory, { recursive: true, force: true });
    throw error;
  }
}
