/**
 * Composition of any set of subgraph SDLs (the working tree's, a git commit's, or one subgraph's change
 * on top of a commit), for schema governance. It composes the way `scripts/composeSupergraph.ts` does —
 * `@apollo/composition`, hints written `CODE: message` and accepted in `schema/accepted-hints.json` —
 * but from SDL strings, and also returns the API schema clients see (the supergraph without
 * `@inaccessible` elements and federation machinery).
 */
import { existsSync, readFileSync } from 'node:fs';
import { composeServices } from '@apollo/composition';
import { buildASTSchema, parse, type GraphQLSchema } from 'graphql';

/** The outcome of composing SDLs. */
export interface EstateComposition {
  supergraphSdl?: string;
  /** The API schema, when composition succeeded. */
  apiSchema?: GraphQLSchema;
  errors: string[];
  /** Hints not accepted in the accepted-hints file. */
  unacceptedHints: string[];
}

/** Reads accepted hints (`["CODE: message", …]`); none when the file does not exist. */
export function readAcceptedHints(path: string): Set<string> {
  return new Set(existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as string[]) : []);
}

/** Composes `sdls` (subgraph name → SDL). Never throws for bad SDL: a parse error is a composition error naming the subgraph. */
export function composeSdls(sdls: Record<string, string>, acceptedHints: Set<string> = new Set()): EstateComposition {
  const services = [];
  const errors: string[] = [];
  for (const [name, sdl] of Object.entries(sdls)) {
    try {
      services.push({ name, url: `http://localhost/${name}/graphql`, typeDefs: parse(sdl) });
    } catch (error) {
      errors.push(`[${name}] the SDL does not parse: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (errors.length > 0) return { errors, unacceptedHints: [] };
  const result = composeServices(services);
  const unacceptedHints = (result.hints ?? []).map((hint) => `${hint.definition.code}: ${hint.message}`).filter((hint) => !acceptedHints.has(hint));
  if (result.errors) return { errors: result.errors.map((error) => error.message), unacceptedHints };
  return { supergraphSdl: result.supergraphSdl, apiSchema: result.schema.toAPISchema().toGraphQLJSSchema(), errors: [], unacceptedHints };
}

/**
 * One subgraph's own schema from its SDL, for comparing versions of it. Built from the SDL alone
 * (federation directives are not checked here; composition does that), so the comparison shows the
 * team's changes without the `_entities`/`_service` machinery a subgraph server adds.
 */
export function subgraphSchemaOf(sdl: string): GraphQLSchema {
  return buildASTSchema(parse(sdl), { assumeValidSDL: true });
}
