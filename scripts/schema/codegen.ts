/**
 * `npm run codegen`: writes `generated/<subgraph>/resolvers.ts` from each subgraph's SDL (see
 * resolverTypes.ts). `--check` writes nothing and exits 1 when a checked-in file is stale.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SUBGRAPH_NAMES, repositoryRoot } from '../../subgraphs/kit/src';
import { generateResolverTypes } from './resolverTypes';

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const files = await generateResolverTypes(SUBGRAPH_NAMES);
  const stale: string[] = [];
  for (const [path, content] of files) {
    const absolute = join(repositoryRoot(), path);
    const current = existsSync(absolute) ? readFileSync(absolute, 'utf8') : undefined;
    if (current === content) continue;
    if (check) {
      stale.push(path);
      continue;
    }
    mkdirSync(dirname(absolute), { recursive: true });
    writeFileSync(absolute, content);
    process.stdout.write(`Wrote ${path}\n`);
  }
  if (stale.length > 0) {
    process.stderr.write(`Stale generated resolver types (run npm run codegen): ${stale.join(', ')}\n`);
    process.exit(1);
  }
  process.stdout.write(check ? 'Generated resolver types are current.\n' : `Resolver types of ${files.size} subgraph(s) are current.\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`codegen failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
