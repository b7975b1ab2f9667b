/**
 * Composition of the five subgraph SDLs into `schema/supergraph.graphql` with `@apollo/composition`,
 * shared by `npm run compose`, `npm run dev` (which recomposes on every SDL save) and the test that
 * fails when the checked-in supergraph is stale. Hints are accepted explicitly in
 * `schema/accepted-hints.json` (by hint code and message), so a new hint is seen and decided on rather
 * than scrolled past.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { GraphQLError, parse, type DocumentNode } from 'graphql';
import { DEFAULT_PORTS, SUBGRAPH_NAMES, schemaPath } from '../subgraphs/kit/src';

/** The result of composing the estate. */
export interface CompositionOutcome {
  supergraphSdl?: string;
  errors: string[];
  /** Hints not listed in accepted-hints.json. */
  unacceptedHints: string[];
  acceptedHints: string[];
}

/** Options for {@link composeSupergraph}. */
export interface ComposeSupergraphOptions {
  /**
   * The folder holding `<name>.graphql` for each subgraph and `accepted-hints.json` (tests compose a
   * copy in a temporary folder). @default the repository's `schema/`
   */
  schemaDir?: string;
}

/** The file holding accepted hints: `["CODE: message", …]`. */
export const ACCEPTED_HINTS_FILE = schemaPath('accepted-hints.json');

/**
 * Composes the five SDL files; the subgraph URLs are the defaults (the gateway overrides them from
 * config). An SDL that does not parse is a composition error naming its file, not an exception.
 */
export function composeSupergraph(options: ComposeSupergraphOptions = {}): CompositionOutcome {
  const sdlPath = (file: string) => (options.schemaDir ? join(options.schemaDir, file) : schemaPath(file));
  const parsed = SUBGRAPH_NAMES.map((name) => ({ name, ...parseSdl(sdlPath(`${name}.graphql`), `schema/${name}.graphql`) }));
  const parseErrors = parsed.flatMap((service) => (service.error ? [service.error] : []));
  if (parseErrors.length > 0) return { errors: parseErrors, unacceptedHints: [], acceptedHints: [] };
  const services = parsed.map(({ name, typeDefs }) => ({ name, url: `http://localhost:${DEFAULT_PORTS[name]}/graphql`, typeDefs: typeDefs as DocumentNode }));
  const result = composeServices(services);
  const hintsFile = sdlPath('accepted-hints.json');
  const accepted = new Set<string>(existsSync(hintsFile) ? (JSON.parse(readFileSync(hintsFile, 'utf8')) as string[]) : []);
  const hints = (result.hints ?? []).map((hint) => `${hint.definition.code}: ${hint.message}`);
  if (result.errors) {
    return { errors: result.errors.map((error) => error.message), unacceptedHints: hints.filter((h) => !accepted.has(h)), acceptedHints: hints.filter((h) => accepted.has(h)) };
  }
  return {
    supergraphSdl: result.supergraphSdl,
    errors: [],
    unacceptedHints: hints.filter((h) => !accepted.has(h)),
    acceptedHints: hints.filter((h) => accepted.has(h)),
  };
}

// Private: a syntax error in one SDL (a half-typed field saved by an editor) must come back as a
// composition error saying which file, so `npm run dev` can print it and keep the last good supergraph.
function parseSdl(path: string, shownAs: string): { typeDefs?: DocumentNode; error?: string } {
  try {
    return { typeDefs: parse(readFileSync(path, 'utf8')) };
  } catch (error) {
    const where = error instanceof GraphQLError && error.locations?.[0] ? ` (line ${error.locations[0].line}, column ${error.locations[0].column})` : '';
    return { error: `${shownAs}: ${error instanceof Error ? error.message : String(error)}${where}` };
  }
}
