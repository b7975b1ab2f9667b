import { describe, expect, it } from '@jest/globals';
import { readGatewayConfig } from '../../gateway/src/config';
import { DEV_SIGNING_KEY, readAuthConfig, readSubgraphConfig } from '../../subgraphs/kit/src';

describe('gateway configuration', () => {
  it('has working defaults for development', () => {
    const config = readGatewayConfig({});
    expect(config.port).toBe(4000);
    expect(config.supergraphPath).toMatch(/schema\/supergraph\.graphql$/);
    expect(config.introspection).toBe(true);
    expect(config.auth.signingKey).toBe(DEV_SIGNING_KEY);
  });

  it('names the variable of a bad value', () => {
    expect(() => readGatewayConfig({ PORT: 'abc' })).toThrow(/PORT must be a port number/);
    expect(() => readGatewayConfig({ ORDERS_URL: 'not a url' })).toThrow(/ORDERS_URL must be an http\(s\) URL/);
    expect(() => readGatewayConfig({ INTROSPECTION: 'maybe' })).toThrow(/INTROSPECTION must be true or false/);
    expect(() => readGatewayConfig({ SUBGRAPH_TIMEOUT_MS: '-5' })).toThrow(/SUBGRAPH_TIMEOUT_MS must be a positive integer/);
  });

  it('takes subgraph URLs from <NAME>_URL', () => {
    expect(readGatewayConfig({ ORDERS_URL: 'http://orders:4003/graphql' }).subgraphUrls.orders).toBe('http://orders:4003/graphql');
  });

  it('refuses to run production with the dev signing key or none', () => {
    expect(() => readGatewayConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SIGNING_KEY must be set/);
    expect(() => readAuthConfig({ NODE_ENV: 'production', JWT_SIGNING_KEY: DEV_SIGNING_KEY })).toThrow(/dev key is refused/);
    const production = readGatewayConfig({ NODE_ENV: 'production', JWT_SIGNING_KEY: 'a-long-production-secret-1234567890' });
    expect(production.introspection).toBe(false);
  });

  it('validates subgraph configuration too', () => {
    expect(readSubgraphConfig('orders', {}).port).toBe(4003);
    expect(readSubgraphConfig('orders', {}).databaseName).toBe('zocalo_orders');
    expect(() => readSubgraphConfig('orders', { MONGODB_DB: 'bad name!' })).toThrow(/MONGODB_DB/);
  });
});
