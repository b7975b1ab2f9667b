/**
 * Composition of the five subgraph SDLs into `schema/supergraph.graphql` with `@apollo/composition`,
 * shared by `npm run compose` and the test that fails when the checked-in supergraph is stale.
 * Hints are accepted explicitly in `schema/accepted-hints.json` (by hint code and message), so a new
 * hint is seen and decided on rather than scrolled past.
 */
import { existsSync, readFileSync } from 'node:fs';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { DEFAULT_PORTS, SUBGRAPH_NAMES, schemaPath } from '../subgraphs/kit/src';

/** The result of composing the estate. */
export interface CompositionOutcome {
  supergraphSdl?: string;
  errors: string[];
  /** Hints not listed in accepted-hints.json. */
  unacceptedHints: string[];
  acceptedHints: string[];
}

/** The file holding accepted hints: `["CODE: message", …]`. */
export const ACCEPTED_HINTS_FILE = schemaPath('accepted-hints.json');

/** Composes the five SDL files; the subgraph URLs are the defaults (the gateway overrides them from config). */
export function composeSupergraph(): CompositionOutcome {
  const services = SUBGRAPH_NAMES.map((name) => ({
    name,
    url: `http://localhost:${DEFAULT_PORTS[name]}/graphql`,
    typeDefs: parse(readFileSync(schemaPath(`${name}.graphql`), 'utf8')),
  }));
  const result = composeServices(services);
  const accepted = new Set<string>(existsSync(ACCEPTED_HINTS_FILE) ? (JSON.parse(readFileSync(ACCEPTED_HINTS_FILE, 'utf8')) as string[]) : []);
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
