/**
 * Dev mode's composition step: compose the SDLs the way `npm run compose` does (composeSupergraph.ts,
 * so the file it writes is byte for byte the one the staleness test expects), say clearly what went
 * wrong when it fails, and replace the supergraph file atomically when it succeeds — written aside and
 * renamed into place, so the gateway's watcher never reads half a file. On failure nothing is written:
 * the gateway keeps serving the last good supergraph.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { composeSupergraph } from '../composeSupergraph';

/**
 * Composes the SDLs of `schemaDir` and reports to `say`: the errors (then returns null), or the hints
 * not accepted yet (a warning: the supergraph is still returned, but `npm run compose` refuses it
 * until they are accepted).
 */
export function recompose(schemaDir: string, say: (line: string) => void): string | null {
  const outcome = composeSupergraph({ schemaDir });
  if (!outcome.supergraphSdl) {
    say(`✗ composition failed (${outcome.errors.length} error${outcome.errors.length === 1 ? '' : 's'}); the gateway keeps serving the last good supergraph:`);
    for (const error of outcome.errors) sayIndented(say, `- ${error}`);
    say('  Fix the SDL and save: dev composes again on every save.');
    return null;
  }
  if (outcome.unacceptedHints.length > 0) {
    say(`! composed with ${outcome.unacceptedHints.length} hint(s) not accepted in schema/accepted-hints.json; \`npm run compose\` refuses them until you fix or accept them (\`npm run compose -- --accept-hints\`):`);
    for (const hint of outcome.unacceptedHints) sayIndented(say, `- ${hint}`);
  }
  return outcome.supergraphSdl;
}

/** Writes `sdl` to `path` unless it already holds exactly that; true when the file changed. */
export function writeSupergraphFile(path: string, sdl: string): boolean {
  if (existsSync(path) && readFileSync(path, 'utf8') === sdl) return false;
  const aside = `${path}.${process.pid}.next`;
  writeFileSync(aside, sdl);
  renameSync(aside, path);
  return true;
}

// Private: composition messages span lines; every line gets the prefix, so none is lost in the log.
function sayIndented(say: (line: string) => void, text: string): void {
  for (const line of text.split('\n')) say(`    ${line}`);
}
