/**
 * `npm run compose`: writes schema/supergraph.graphql. Exits 1 on composition errors or on hints not
 * accepted in schema/accepted-hints.json (`--accept-hints` adds the current ones after you read them).
 */
import { writeFileSync } from 'node:fs';
import { schemaPath } from '../subgraphs/kit/src';
import { ACCEPTED_HINTS_FILE, composeSupergraph } from './composeSupergraph';

const outcome = composeSupergraph();
for (const error of outcome.errors) process.stderr.write(`error: ${error}\n`);
if (!outcome.supergraphSdl) {
  process.stderr.write('Composition failed; schema/supergraph.graphql was not changed.\n');
  process.exit(1);
}
if (outcome.unacceptedHints.length > 0) {
  for (const hint of outcome.unacceptedHints) process.stderr.write(`hint: ${hint}\n`);
  if (process.argv.includes('--accept-hints')) {
    writeFileSync(ACCEPTED_HINTS_FILE, `${JSON.stringify([...outcome.acceptedHints, ...outcome.unacceptedHints].sort(), null, 2)}\n`);
    process.stdout.write(`Accepted ${outcome.unacceptedHints.length} hint(s) in schema/accepted-hints.json\n`);
  } else {
    process.stderr.write('Composition produced hints that are not accepted: fix them, or run `npm run compose -- --accept-hints`.\n');
    process.exit(1);
  }
}
writeFileSync(schemaPath('supergraph.graphql'), outcome.supergraphSdl);
process.stdout.write(`Wrote schema/supergraph.graphql (${outcome.supergraphSdl.length} bytes)\n`);
