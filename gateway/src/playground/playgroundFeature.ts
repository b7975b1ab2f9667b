/**
 * The playground: GraphiQL (with the explorer and the docs pane) served entirely by the gateway, at
 * `/playground` and on a browser's GET of `/graphql`, preloaded with the channel examples of
 * `operations/` and, in development, a picker that signs in as each demo role.
 *
 * On outside production; in production only with `PLAYGROUND=true` (and then the docs pane and the
 * explorer also need `INTROSPECTION=true`). Demo tokens are never minted in production nor with any
 * key other than the documented dev key.
 */
import type { ServerResponse } from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import { isRole, sendGraphQLError, sendJson, type RouteHandler, type RouteRequest } from '../../../subgraphs/kit/src';
import type { GatewayContext } from '../context';
import type { GatewayFeature, GatewayFeatureFactory } from '../feature';
import { demoTokensAllowed, mintDemoToken, mintDemoTokens } from './demoTokens';
import { CLIENT_TITLES, loadOperationCatalog, type ExampleOperation } from './operationCatalog';
import { createAssetRoutes } from './playgroundAssets';
import { PLAYGROUND_CSP, renderPlaygroundPage } from './playgroundPage';

/** Options for {@link createPlaygroundFeature}. */
export interface PlaygroundFeatureOptions {
  /** Where `PLAYGROUND` is read. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** The examples. @default loadOperationCatalog (read again on each request outside production) */
  loadExamples?: () => ExampleOperation[];
}

/** What a demo token's subject or store may look like. */
const SUBJECT = /^[A-Za-z0-9_.:-]{1,100}$/;

/** `PLAYGROUND`: unset → on outside production, off in production; `true`/`false` force it. */
export function playgroundEnabled(production: boolean, env: NodeJS.ProcessEnv): boolean {
  const raw = env.PLAYGROUND;
  if (raw === undefined || raw === '') return !production;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new Error(`PLAYGROUND must be true or false, got ${JSON.stringify(raw)}`);
}

/** What `/playground/operations.json` sends for each example. */
function publicExample(example: ExampleOperation) {
  return {
    client: example.client,
    clientTitle: CLIENT_TITLES[example.client],
    name: example.name,
    path: example.path,
    operationType: example.operationType,
    description: example.description,
    role: example.role,
    ...(example.sub !== undefined ? { sub: example.sub } : {}),
    ...(example.storeId !== undefined ? { storeId: example.storeId } : {}),
    document: example.document,
    variables: example.variables,
  };
}

function readOnly(handler: RouteHandler): RouteHandler {
  return (request: RouteRequest, response: ServerResponse) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      sendGraphQLError(response, 405, 'METHOD_NOT_ALLOWED', `${request.path} answers GET only`, { allow: 'GET, HEAD' });
      return;
    }
    return handler(request, response);
  };
}

/** Builds the playground feature factory (see module comment). */
export function createPlaygroundFeature(options: PlaygroundFeatureOptions = {}): GatewayFeatureFactory {
  return ({ config, logger }): GatewayFeature => {
    if (!playgroundEnabled(config.production, options.env ?? process.env)) return { name: 'playground' };
    if (!config.introspection) logger.warn('the playground is on but INTROSPECTION is off: its docs pane and explorer will be empty');

    const devTokens = demoTokensAllowed(config.production, config.auth);
    const page = renderPlaygroundPage({ devTokens });
    const loadExamples = options.loadExamples ?? (() => loadOperationCatalog());
    let cachedExamples: ReturnType<typeof publicExample>[] | undefined;
    // Outside production the files are read on each request, so an edited example shows on reload.
    const examples = () => (config.production ? (cachedExamples ??= loadExamples().map(publicExample)) : loadExamples().map(publicExample));

    const sendPage: RouteHandler = (_request, response) => {
      response.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': PLAYGROUND_CSP,
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-cache',
      });
      response.end(page);
    };

    const landingPage: ApolloServerPlugin<GatewayContext> = {
      // A browser's GET of /graphql (Accept: text/html) gets the playground instead of Apollo's default
      // page, which loads Apollo Sandbox from a CDN.
      async serverWillStart() {
        return { renderLandingPage: async () => ({ html: page }) };
      },
    };

    return {
      name: 'playground',
      providesLandingPage: true,
      plugins: [landingPage],
      routes: {
        ...Object.fromEntries(Object.entries(createAssetRoutes()).map(([path, handler]) => [path, readOnly(handler)])),
        '/playground': readOnly(sendPage),
        // The page's URLs are relative: from `/playground/` they would miss, so send the browser to `/playground`.
        '/playground/': (_request, response) => {
          response.writeHead(308, { location: '/playground' });
          response.end();
        },
        '/playground/operations.json': readOnly((_request, response) => sendJson(response, 200, { examples: examples() }, { 'cache-control': 'no-cache' })),
        '/playground/tokens': readOnly((request, response) => {
          if (!devTokens) {
            sendGraphQLError(response, 404, 'NOT_FOUND', 'Demo tokens are minted only in development with the dev signing key; use `npm run token` where you hold the key');
            return;
          }
          // `?role=AGENT&sub=whatsapp-bot[&storeId=…]` mints the token an example runs with; no query, the demo people.
          const role = request.query.get('role');
          if (role === null) {
            sendJson(response, 200, { tokens: mintDemoTokens(config.auth) }, { 'cache-control': 'no-store' });
            return;
          }
          const sub = request.query.get('sub') ?? '';
          const storeId = request.query.get('storeId') ?? undefined;
          if (!isRole(role) || !SUBJECT.test(sub) || (storeId !== undefined && !SUBJECT.test(storeId))) {
            sendGraphQLError(response, 400, 'BAD_USER_INPUT', 'role must be a role; sub and storeId 1–100 letters, digits, _ . : -');
            return;
          }
          sendJson(response, 200, { tokens: [mintDemoToken(config.auth, { role, sub, ...(storeId ? { storeId } : {}), label: `${role} ${sub}` })] }, { 'cache-control': 'no-store' });
        }),
      },
    };
  };
}

/** The playground as the gateway's features list uses it (reads `PLAYGROUND` from the environment). */
export const playgroundFeature: GatewayFeatureFactory = createPlaygroundFeature();
