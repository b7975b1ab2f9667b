/**
 * The playground's static files, served by the gateway itself from node_modules and from this folder:
 * GraphiQL 3's browser bundle, React 18's UMD builds and the explorer plugin. Nothing is fetched from
 * a CDN, so the playground works on a machine without internet and leaks no request to another host.
 *
 * Files are read and gzipped once, on the first request for any of them, so building a gateway (which
 * every estate test does) costs nothing when nobody opens the playground.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { repositoryRoot, type RouteHandler } from '../../../subgraphs/kit/src';

/** Where the assets are served: `/playground/assets/<name>`. */
export const ASSET_PREFIX = '/playground/assets/';

/**
 * The folder of an installed package, found from its main entry: packages such as react declare
 * `exports` that hide their UMD builds from `require.resolve`, but not from the file system.
 */
function packageFolder(name: string): string {
  let dir = dirname(require.resolve(name));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === name) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`Cannot find the folder of the ${name} package (npm install)`);
    dir = parent;
  }
}

/** Asset name → the file it comes from. */
const ASSET_SOURCES: Record<string, () => string> = {
  'react.production.min.js': () => join(packageFolder('react'), 'umd', 'react.production.min.js'),
  'react-dom.production.min.js': () => join(packageFolder('react-dom'), 'umd', 'react-dom.production.min.js'),
  'graphiql.min.js': () => join(packageFolder('graphiql'), 'graphiql.min.js'),
  'graphiql.min.css': () => join(packageFolder('graphiql'), 'graphiql.min.css'),
  'plugin-explorer.umd.js': () => join(packageFolder('@graphiql/plugin-explorer'), 'dist', 'index.umd.js'),
  'plugin-explorer.css': () => join(packageFolder('@graphiql/plugin-explorer'), 'dist', 'style.css'),
  // From the repository, not __dirname: `npm run build` compiles TypeScript to dist/ and copies no assets.
  'playground.js': () => join(repositoryRoot(), 'gateway', 'src', 'playground', 'client', 'playground.js'),
  'playground.css': () => join(repositoryRoot(), 'gateway', 'src', 'playground', 'client', 'playground.css'),
};

interface LoadedAsset {
  body: Buffer;
  gzipped: Buffer;
  etag: string;
  contentType: string;
}

function contentTypeOf(name: string): string {
  return name.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8';
}

/** Names of every asset, for the page that links them. */
export const ASSET_NAMES = Object.keys(ASSET_SOURCES);

/**
 * Route handlers for every asset (the kit's HTTP front routes by exact path). Answers 304 to a matching
 * `If-None-Match` and gzips when the browser accepts it: GraphiQL's bundle is 3.5 MB unpacked.
 */
export function createAssetRoutes(): Record<string, RouteHandler> {
  // Paths now, so a missing package stops the gateway at start rather than on the first page view.
  const paths = new Map(Object.entries(ASSET_SOURCES).map(([name, source]) => [name, source()]));
  let loaded: Map<string, LoadedAsset> | undefined;
  const load = (): Map<string, LoadedAsset> => {
    if (loaded) return loaded;
    loaded = new Map();
    for (const [name, path] of paths) {
      const body = readFileSync(path);
      loaded.set(name, {
        body,
        gzipped: gzipSync(body),
        etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
        contentType: contentTypeOf(name),
      });
    }
    return loaded;
  };
  const routes: Record<string, RouteHandler> = {};
  for (const name of ASSET_NAMES) {
    routes[`${ASSET_PREFIX}${name}`] = (request, response) => {
      const asset = load().get(name);
      if (!asset) throw new Error(`playground asset ${name} is missing`);
      const headers: Record<string, string> = {
        'content-type': asset.contentType,
        etag: asset.etag,
        // Revalidate every time: a cheap 304, and an upgraded GraphiQL is never served stale.
        'cache-control': 'no-cache',
        'x-content-type-options': 'nosniff',
        vary: 'accept-encoding',
      };
      if (request.headers['if-none-match'] === asset.etag) {
        response.writeHead(304, headers);
        response.end();
        return;
      }
      const gzip = /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
      const body = gzip ? asset.gzipped : asset.body;
      response.writeHead(200, { ...headers, ...(gzip ? { 'content-encoding': 'gzip' } : {}), 'content-length': String(body.length) });
      response.end(request.method === 'HEAD' ? undefined : body);
    };
  }
  return routes;
}
