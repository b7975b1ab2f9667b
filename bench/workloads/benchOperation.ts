/**
 * An operation a workload sends: one of the trusted documents the channel frontends ship
 * (`operations/<client>/<Name>.graphql`), read from the file so the benchmark always sends exactly what
 * the clients send — and what Zócalo's gateway, in its production configuration, agrees to run.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repositoryRoot } from '../../subgraphs/kit/src';

/** A trusted document and the client it belongs to. */
export interface BenchOperation {
  /** The operation name, e.g. `Customer360`. */
  name: string;
  /** The client folder under `operations/`, sent as `apollographql-client-name`. */
  client: string;
  /** The document text, byte for byte as registered. */
  document: string;
}

/** Loads `operations/<client>/<name>.graphql`. */
export function loadBenchOperation(client: string, name: string): BenchOperation {
  const path = join(repositoryRoot(), 'operations', client, `${name}.graphql`);
  return { name, client, document: readFileSync(path, 'utf8') };
}
