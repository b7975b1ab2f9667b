/** Where the repository is, found from any file inside it (source run by tsx, or compiled to dist/). */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

let cachedRoot: string | undefined;

/** The folder holding Zócalo's top-level package.json. */
export function repositoryRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = __dirname;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'zocalo') {
      cachedRoot = dir;
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`Cannot find the zocalo repository root above ${__dirname}`);
    dir = parent;
  }
}

/** Absolute path of `schema/<file>`. */
export function schemaPath(file: string): string {
  return join(repositoryRoot(), 'schema', file);
}
