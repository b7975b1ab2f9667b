/** Reads a supergraph (file or text) and the subgraphs it names (the `@join__graph` directives). */
import { readFileSync } from 'node:fs';

/** A subgraph as the supergraph names it. */
export interface SupergraphSubgraph {
  name: string;
  url: string;
}

/** A loaded supergraph. */
export interface Supergraph {
  sdl: string;
  subgraphs: SupergraphSubgraph[];
}

/** Loads `path`; throws with the path in the message when it is missing or names no subgraph. */
export function loadSupergraph(path: string): Supergraph {
  let sdl: string;
  try {
    sdl = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`Cannot read the supergraph at ${path} (SUPERGRAPH_PATH)`, { cause: error });
  }
  return parseSupergraph(sdl, path);
}

/**
 * The subgraphs a supergraph SDL names; throws when it names none (an empty, truncated or wrong
 * file). Only a first check: Apollo Gateway validates the whole SDL when it is applied.
 * @param source where the SDL came from, for the message
 */
export function parseSupergraph(sdl: string, source: string): Supergraph {
  const subgraphs: SupergraphSubgraph[] = [];
  for (const match of sdl.matchAll(/@join__graph\(name:\s*"([^"]+)",\s*url:\s*"([^"]*)"\)/g)) {
    subgraphs.push({ name: match[1] ?? '', url: match[2] ?? '' });
  }
  if (subgraphs.length === 0) throw new Error(`${source} is not a supergraph: it has no @join__graph definitions`);
  return { sdl, subgraphs };
}

/** The subgraph's URL after configuration overrides. */
export function resolveSubgraphUrl(subgraph: SupergraphSubgraph, overrides: Partial<Record<string, string>>): string {
  return overrides[subgraph.name] ?? subgraph.url;
}
