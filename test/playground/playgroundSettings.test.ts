/**
 * When the gateway serves the playground, and what it gives away: on by default outside production with
 * demo tokens; off in production unless `PLAYGROUND=true`, and then without demo tokens. Real gateways
 * over HTTP (no subgraph is needed to serve a page).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readGatewayConfig } from '../../gateway/src/config';
import { createPlaygroundFeature, playgroundEnabled } from '../../gateway/src/playground/playgroundFeature';
import { buildGateway, type GatewayServer } from '../../gateway/src/server';
import { createLogger } from '../../subgraphs/kit/src';

const PRODUCTION = { NODE_ENV: 'production', JWT_SIGNING_KEY: 'a-production-secret-of-our-own', PORT: '0' };

async function startGateway(env: NodeJS.ProcessEnv, playgroundEnv: NodeJS.ProcessEnv): Promise<{ gateway: GatewayServer; origin: string }> {
  const gateway = buildGateway({ config: readGatewayConfig(env), logger: createLogger('gateway', 'silent'), features: [createPlaygroundFeature({ env: playgroundEnv })] });
  return { gateway, origin: new URL(await gateway.start()).origin };
}

const browserGet = (url: string) => fetch(url, { headers: { accept: 'text/html' } });

describe('playground settings', () => {
  const gateways: GatewayServer[] = [];
  let development: string;
  let production: string;
  let productionWithPlayground: string;

  beforeAll(async () => {
    for (const [env, playgroundEnv] of [
      [{ PORT: '0' }, {}],
      [PRODUCTION, {}],
      [PRODUCTION, { PLAYGROUND: 'true' }],
    ] as const) {
      const { gateway, origin } = await startGateway(env, playgroundEnv);
      gateways.push(gateway);
      if (!development) development = origin;
      else if (!production) production = origin;
      else productionWithPlayground = origin;
    }
  });

  afterAll(async () => {
    for (const gateway of gateways) await gateway.stop();
  });

  it('reads PLAYGROUND: unset follows NODE_ENV, true/false force it, anything else stops the gateway', () => {
    expect(playgroundEnabled(false, {})).toBe(true);
    expect(playgroundEnabled(true, {})).toBe(false);
    expect(playgroundEnabled(true, { PLAYGROUND: 'true' })).toBe(true);
    expect(playgroundEnabled(false, { PLAYGROUND: 'false' })).toBe(false);
    expect(() => playgroundEnabled(false, { PLAYGROUND: 'yes' })).toThrow('PLAYGROUND must be true or false');
  });

  it('in development serves the page at /playground and /graphql, with demo tokens for each role', async () => {
    for (const path of ['/playground', '/graphql']) {
      const page = await browserGet(`${development}${path}`);
      expect({ path, status: page.status, html: page.headers.get('content-type')?.startsWith('text/html') }).toEqual({ path, status: 200, html: true });
      const html = await page.text();
      // Apollo Server sends /graphql's landing page without our headers: the page carries its own CSP.
      expect(html).toContain("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'self'");
      expect(html).toContain('playground/assets/graphiql.min.js');
      // Every script and stylesheet is the gateway's own: no absolute URL in the page.
      expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    }
    const tokens = (await (await fetch(`${development}/playground/tokens`)).json()) as { tokens: { role: string; token: string; command: string }[] };
    expect(tokens.tokens.map((token) => token.role)).toEqual(['CUSTOMER', 'ASSOCIATE', 'AGENT', 'ANALYST', 'ADMIN']);
    expect(tokens.tokens[0]?.command).toBe('npm run token -- --role CUSTOMER --sub cus_000004');
    const examples = (await (await fetch(`${development}/playground/operations.json`)).json()) as { examples: { client: string }[] };
    expect(new Set(examples.examples.map((example) => example.client))).toEqual(new Set(['pos', 'web', 'app', 'call-centre', 'whatsapp', 'analyst']));
  });

  it('in production serves no playground unless PLAYGROUND=true', async () => {
    expect((await browserGet(`${production}/playground`)).status).toBe(404);
    expect((await browserGet(`${production}/playground/assets/graphiql.min.js`)).status).toBe(404);
    expect(await (await browserGet(`${production}/graphql`)).text()).not.toContain('Zócalo playground');
  });

  it('in production with PLAYGROUND=true serves the page but mints no demo token', async () => {
    expect((await browserGet(`${productionWithPlayground}/playground`)).status).toBe(200);
    const tokens = await fetch(`${productionWithPlayground}/playground/tokens`);
    expect(tokens.status).toBe(404);
    expect(JSON.stringify(await tokens.json())).toContain('npm run token');
  });
});
