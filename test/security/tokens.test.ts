/**
 * Token verification in the kit: HS256 with the shared key; RS256/ES256 from a JWKS provider (cached,
 * re-fetched on an unknown kid at a bounded rate, rotation without restart); expiry, not-before,
 * issuer and audience with clock tolerance; `alg: none` and algorithm confusion refused; messages that
 * never echo the token.
 */
import type { KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import jwt from 'jsonwebtoken';
import { JwksKeySet } from '../../subgraphs/kit/src/auth/jwks';
import { principalFromAuthorization, principalFromAuthorizationAsync, readAuthConfig, signToken, type AuthConfig } from '../../subgraphs/kit/src';
import { startIdentityProvider, type TestIdentityProvider } from './securityGateway';
import { testAuth } from '../support/testkit';

const claims = { role: 'AGENT' };
const now = () => Math.floor(Date.now() / 1000);

function hs256(payload: object, key = testAuth.signingKey, options: jwt.SignOptions = {}): string {
  return jwt.sign(payload, key, { algorithm: 'HS256', issuer: 'zocalo', audience: 'zocalo', subject: 'agent-1', expiresIn: 600, ...options });
}

async function reason(header: string, config: AuthConfig): Promise<string> {
  try {
    await principalFromAuthorizationAsync(header, config);
  } catch (error) {
    expect((error as { extensions?: { code?: string } }).extensions?.code).toBe('UNAUTHENTICATED');
    return (error as Error).message;
  }
  throw new Error('expected UNAUTHENTICATED');
}

describe('HS256 tokens', () => {
  it('accepts a token signed with the key, sync and async alike', async () => {
    const token = signToken({ sub: 'associate-1', role: 'ASSOCIATE', storeId: 'MX-CDMX-CENTRO' }, testAuth);
    const expected = { sub: 'associate-1', role: 'ASSOCIATE', storeId: 'MX-CDMX-CENTRO' };
    expect(principalFromAuthorization(`Bearer ${token}`, testAuth)).toEqual(expected);
    expect(await principalFromAuthorizationAsync(`Bearer ${token}`, testAuth)).toEqual(expected);
    expect(await principalFromAuthorizationAsync(undefined, testAuth)).toBeNull();
  });

  it('refuses each kind of bad token with its own message that never echoes the token', async () => {
    const cases: [string, string, RegExp][] = [
      ['expired', hs256(claims, undefined, { expiresIn: -120 }), /has expired/],
      ['not yet valid', hs256({ ...claims, nbf: now() + 300 }), /not valid yet/],
      ['other issuer', hs256(claims, undefined, { issuer: 'someone-else' }), /another issuer/],
      ['other audience', hs256(claims, undefined, { audience: 'another-app' }), /another audience/],
      ['other key', hs256(claims, 'a-completely-different-signing-key'), /signature does not verify/],
      ['no expiry', jwt.sign({ ...claims, sub: 'x', iss: 'zocalo', aud: 'zocalo' }, testAuth.signingKey, { algorithm: 'HS256' }), /no expiry/],
      ['unknown role', hs256({ role: 'GOD' }), /known "role"/],
      ['alg none', `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'x', role: 'ADMIN', iss: 'zocalo', aud: 'zocalo', exp: now() + 60 })).toString('base64url')}.`, /alg "none"/],
      ['HS512', hs256(claims, undefined, { algorithm: 'HS512' }), /"HS512" is not accepted/],
      ['garbage header', `${Buffer.from('not json').toString('base64url')}.e30.sig`, /not a well-formed JWT/],
    ];
    for (const [label, token, expected] of cases) {
      const message = await reason(`Bearer ${token}`, testAuth);
      expect({ label, message }).toEqual({ label, message: expect.stringMatching(expected) });
      expect(message).not.toContain(token.split('.')[1]);
    }
    expect(await reason('Basic dXNlcjpwYXNz', testAuth)).toMatch(/must be "Bearer <JWT>"/);
    expect(await reason(`Bearer ${'a'.repeat(20_000)}`, testAuth)).toMatch(/longer than 8192/);
  });

  it('accepts small clock differences within the tolerance', async () => {
    const justExpired = jwt.sign({ ...claims, exp: now() - 10 }, testAuth.signingKey, { algorithm: 'HS256', issuer: 'zocalo', audience: 'zocalo', subject: 'agent-1' });
    expect(await principalFromAuthorizationAsync(`Bearer ${justExpired}`, testAuth)).toMatchObject({ role: 'AGENT' });
    const strict = { ...testAuth, clockToleranceSeconds: 0 };
    expect(await reason(`Bearer ${justExpired}`, strict)).toMatch(/has expired/);
  });

  it('reads and validates the JWT variables', () => {
    const config = readAuthConfig({ JWT_JWKS_URL: 'https://id.example.mx/.well-known/jwks.json', JWT_CLOCK_TOLERANCE_SECONDS: '5' });
    expect(config.jwks).toEqual({ url: 'https://id.example.mx/.well-known/jwks.json', cacheSeconds: 600, minRefetchSeconds: 30 });
    expect(config.clockToleranceSeconds).toBe(5);
    expect(readAuthConfig({}).jwks).toBeUndefined();
    expect(() => readAuthConfig({ JWT_JWKS_URL: 'ftp://x' })).toThrow(/JWT_JWKS_URL must be an http\(s\) URL/);
    expect(() => readAuthConfig({ JWT_CLOCK_TOLERANCE_SECONDS: '3600' })).toThrow(/JWT_CLOCK_TOLERANCE_SECONDS/);
    expect(() => readAuthConfig({ NODE_ENV: 'production', JWT_JWKS_URL: 'https://id.example.mx/jwks' })).toThrow(/JWT_SIGNING_KEY must be set/);
  });
});

describe('RS256 and ES256 tokens from a JWKS provider', () => {
  let provider: TestIdentityProvider;
  let config: AuthConfig;

  const signed = (alg: 'RS256' | 'ES256', key: { kid: string; privateKey: KeyObject }, payload: object = { role: 'CUSTOMER' }, options: jwt.SignOptions = {}) =>
    jwt.sign(payload, key.privateKey, { algorithm: alg, keyid: key.kid, issuer: 'zocalo', audience: 'zocalo', subject: 'cus_000001', expiresIn: 600, ...options });

  beforeAll(async () => {
    provider = await startIdentityProvider();
    config = { ...testAuth, jwks: { url: provider.url, cacheSeconds: 600, minRefetchSeconds: 30 } };
  });

  afterAll(async () => {
    await provider?.stop();
  });

  it('verifies RS256 and ES256 tokens with keys fetched once and cached', async () => {
    expect(await principalFromAuthorizationAsync(`Bearer ${signed('RS256', provider.rsa)}`, config)).toEqual({ sub: 'cus_000001', role: 'CUSTOMER' });
    expect(await principalFromAuthorizationAsync(`Bearer ${signed('ES256', provider.ec)}`, config)).toEqual({ sub: 'cus_000001', role: 'CUSTOMER' });
    // Once cached, the synchronous variant verifies them too.
    expect(principalFromAuthorization(`Bearer ${signed('RS256', provider.rsa)}`, config)).toEqual({ sub: 'cus_000001', role: 'CUSTOMER' });
    expect(provider.fetches()).toBe(1);
  });

  it('refuses unknown kids, re-fetching at most once per interval whatever the number of tokens', async () => {
    const before = provider.fetches();
    const forged = { kid: 'made-up', privateKey: provider.rsa.privateKey };
    const messages = await Promise.all(Array.from({ length: 25 }, () => reason(`Bearer ${signed('RS256', forged)}`, config)));
    expect(new Set(messages)).toEqual(new Set(['Invalid token: it is signed with a key this service does not know']));
    expect(provider.fetches() - before).toBeLessThanOrEqual(1);
  });

  it('follows a key rotation without a restart', async () => {
    const rotatingProvider = await startIdentityProvider();
    try {
      const rotating: AuthConfig = { ...testAuth, jwks: { url: rotatingProvider.url, cacheSeconds: 600, minRefetchSeconds: 0 } };
      expect(await principalFromAuthorizationAsync(`Bearer ${signed('RS256', rotatingProvider.rsa)}`, rotating)).toMatchObject({ role: 'CUSTOMER' });
      const next = rotatingProvider.rotateRsa();
      expect(await principalFromAuthorizationAsync(`Bearer ${signed('RS256', next)}`, rotating)).toMatchObject({ role: 'CUSTOMER' });
      expect(rotatingProvider.fetches()).toBe(2);
    } finally {
      await rotatingProvider.stop();
    }
  });

  it('refuses algorithm confusion, a key used for another algorithm, and RS256 without a JWKS', async () => {
    // The attacker "signs" HS256 with the provider's public key as the HMAC secret.
    const publicPem = (await (async () => {
      const keySet = new JwksKeySet({ url: provider.url, cacheSeconds: 600, minRefetchSeconds: 0 });
      return (await keySet.get(provider.ec.kid))?.key.export({ format: 'pem', type: 'spki' }).toString() ?? '';
    })());
    const confused = jwt.sign({ role: 'ADMIN' }, publicPem, { algorithm: 'HS256', issuer: 'zocalo', audience: 'zocalo', subject: 'x', expiresIn: 60, keyid: provider.ec.kid });
    expect(await reason(`Bearer ${confused}`, config)).toMatch(/signature does not verify|could not be verified/);
    // An RSA key whose JWK says RS256, presented as PS256.
    const ps = jwt.sign({ role: 'ADMIN' }, provider.rsa.privateKey, { algorithm: 'PS256', keyid: provider.rsa.kid, issuer: 'zocalo', audience: 'zocalo', subject: 'x', expiresIn: 60 });
    expect(await reason(`Bearer ${ps}`, config)).toMatch(/its key is for RS256, not PS256/);
    expect(await reason(`Bearer ${signed('RS256', provider.rsa)}`, testAuth)).toMatch(/"RS256" is not accepted \(no JWKS is configured\)/);
  });

  it('checks expiry, not-before, issuer and audience on provider tokens too', async () => {
    expect(await reason(`Bearer ${signed('ES256', provider.ec, { role: 'CUSTOMER' }, { expiresIn: -300 })}`, config)).toMatch(/has expired/);
    expect(await reason(`Bearer ${signed('ES256', provider.ec, { role: 'CUSTOMER', nbf: now() + 600 })}`, config)).toMatch(/not valid yet/);
    expect(await reason(`Bearer ${signed('RS256', provider.rsa, { role: 'CUSTOMER' }, { issuer: 'evil' })}`, config)).toMatch(/another issuer/);
    expect(await reason(`Bearer ${signed('RS256', provider.rsa, { role: 'CUSTOMER' }, { audience: 'other' })}`, config)).toMatch(/another audience/);
  });

  it('keeps the cached keys when the provider goes down', async () => {
    const shortLived = await startIdentityProvider();
    const keySet = new JwksKeySet({ url: shortLived.url, cacheSeconds: 0, minRefetchSeconds: 0 });
    expect(await keySet.get(shortLived.ec.kid)).toBeDefined();
    await shortLived.stop();
    // Stale (cacheSeconds 0) and the provider refuses connections: the known key still verifies.
    expect(await keySet.get(shortLived.ec.kid)).toBeDefined();
    expect(await keySet.get('never-seen')).toBeUndefined();
  });
});
