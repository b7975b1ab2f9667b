/**
 * `npm run schema:check [-- <ref>]`: what a schema change does to clients, before it merges. Compares
 * each `schema/<subgraph>.graphql` and the composed API schema of the working tree with those at a git
 * ref (default: the merge base with `main`; on `main`, the uncommitted schema changes, or else the last
 * commit), prints breaking, dangerous and safe changes and composition errors and hints per subgraph,
 * and exits 1 on a composition error or on a breaking change not acknowledged in
 * `schema/acknowledged-breaking-changes.json`, or when an operation in `operations/` no longer
 * validates. See README.md, "Schema governance".
 *
 *   --root <dir>            another working tree (default: this repository)
 *   --subgraphs a,b,c       its subgraphs (default: the estate's five)
 */
import { parseArgs } from 'node:util';
import { SUBGRAPH_NAMES, repositoryRoot } from '../subgraphs/kit/src';
import { checkSchemaChanges, formatSchemaCheck } from './schema/schemaGovernance';

function usage(message: string): never {
  process.stderr.write(`${message}\nUsage: npm run schema:check [-- <git ref>] [--root <dir>] [--subgraphs a,b]\n`);
  process.exit(2);
}

let parsed: ReturnType<typeof parseArgs<{ options: { root: { type: 'string' }; subgraphs: { type: 'string' } }; allowPositionals: true }>>;
try {
  parsed = parseArgs({ options: { root: { type: 'string' }, subgraphs: { type: 'string' } }, allowPositionals: true, strict: true });
} catch (error) {
  usage(error instanceof Error ? error.message : String(error));
}
const { values, positionals } = parsed;
if (positionals.length > 1) usage('Give at most one git ref.');
const ref = positionals[0];
try {
  const result = checkSchemaChanges({
    root: values.root ?? repositoryRoot(),
    subgraphs: values.subgraphs ? values.subgraphs.split(',').map((name) => name.trim()).filter(Boolean) : SUBGRAPH_NAMES,
    ...(ref ? { ref } : {}),
  });
  process.stdout.write(formatSchemaCheck(result));
  process.exit(result.ok ? 0 : 1);
} catch (error) {
  process.stderr.write(`schema:check could not run: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
}
