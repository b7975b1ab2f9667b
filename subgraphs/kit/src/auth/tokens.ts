/**
 * Bearer tokens (JWTs). Two kinds of signer:
 * - HS256 with a shared secret: the documented dev key in development, so `npm run token` can mint a
 *   token for any role, and `JWT_SIGNING_KEY` in production (which refuses to start with the dev key);
 *   subgraphs also sign their SERVICE tokens with it.
 * - RS256/ES256 (and RS384/RS512/PS256/ES384) from an identity provider, whose public keys come from
 *   `JWT_JWKS_URL` (cached, re-fetched on an unknown `kid`, see `jwks.ts`).
 *
 * The algorithm picks the key — HS* only ever with the secret, RS/PS/ES only with a JWKS key of a
 * matching type — so `alg: none` and algorithm confusion (an HS256 token "signed" with the provider's
 * public key) are refused. Issuer, audience, expiry (required) and not-before are checked with a small
 * clock tolerance. Error messages say what is wrong and never echo the token.
 */
import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { UnauthenticatedError } from '../errors';
import { jwksKeySetFor, type JwksKey, type JwksSettings } from './jwks';
import { isRole, type Principal, type Role } from './principal';

/**
 * The development signing key. Public on purpose: it is in the README, and anything signed with it is
 * worthless in production, which refuses to start with it.
 */
export const DEV_SIGNING_KEY = 'zocalo-dev-signing-key-not-for-production';

/** Asymmetric algorithms accepted from the JWKS provider. */
export const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384'] as const;

/** Longest `Authorization` header looked at; longer ones are refused before any parsing. */
export const MAX_AUTHORIZATION_LENGTH = 8192;

/** Token verification settings, read from the environment by `readAuthConfig`. */
export interface AuthConfig {
  /** HS256 secret. @default DEV_SIGNING_KEY outside production */
  signingKey: string;
  /** Expected `iss`. @default "zocalo" */
  issuer: string;
  /** Expected `aud`. @default "zocalo" */
  audience: string;
  /** `JWT_CLOCK_TOLERANCE_SECONDS`: allowed clock difference for `exp`/`nbf`, seconds. @default 30 */
  clockToleranceSeconds: number;
  /** `JWT_JWKS_URL` and its cache settings; absent = only HS256 tokens are accepted. */
  jwks?: JwksSettings;
}

function readSeconds(env: NodeJS.ProcessEnv, variable: string, fallback: number, min: number, max: number): number {
  const raw = env[variable];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${variable} must be a whole number of seconds from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  return value;
}

function readJwksSettings(env: NodeJS.ProcessEnv): JwksSettings | undefined {
  const raw = env.JWT_JWKS_URL;
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`JWT_JWKS_URL must be an http(s) URL, got ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`JWT_JWKS_URL must be an http(s) URL, got ${JSON.stringify(raw)}`);
  return {
    url: url.toString(),
    cacheSeconds: readSeconds(env, 'JWT_JWKS_CACHE_SECONDS', 600, 1, 86_400),
    minRefetchSeconds: readSeconds(env, 'JWT_JWKS_MIN_REFETCH_SECONDS', 30, 0, 3600),
  };
}

/**
 * Reads JWT_SIGNING_KEY, JWT_ISSUER, JWT_AUDIENCE, JWT_CLOCK_TOLERANCE_SECONDS (0–300, default 30),
 * JWT_JWKS_URL, JWT_JWKS_CACHE_SECONDS (default 600), JWT_JWKS_MIN_REFETCH_SECONDS (default 30). In
 * production (NODE_ENV=production) a missing key or the dev key is a start-up error — better no service
 * than a forgeable one — also with a JWKS URL, because subgraphs sign their SERVICE tokens with the key.
 */
export function readAuthConfig(env: NodeJS.ProcessEnv = process.env): AuthConfig {
  const production = env.NODE_ENV === 'production';
  const signingKey = env.JWT_SIGNING_KEY ?? (production ? '' : DEV_SIGNING_KEY);
  if (production && (signingKey === '' || signingKey === DEV_SIGNING_KEY)) {
    throw new Error('JWT_SIGNING_KEY must be set to a secret of your own when NODE_ENV=production (the dev key is refused)');
  }
  if (signingKey.length < 16) throw new Error('JWT_SIGNING_KEY must be at least 16 characters');
  const jwks = readJwksSettings(env);
  return {
    signingKey,
    issuer: env.JWT_ISSUER ?? 'zocalo',
    audience: env.JWT_AUDIENCE ?? 'zocalo',
    clockToleranceSeconds: readSeconds(env, 'JWT_CLOCK_TOLERANCE_SECONDS', 30, 0, 300),
    ...(jwks ? { jwks } : {}),
  };
}

/** Claims for {@link signToken}. */
export interface TokenClaims {
  sub: string;
  role: Role;
  storeId?: string;
}

/** Mints a token (dev tooling, tests, and SERVICE calls between subgraphs). */
export function signToken(claims: TokenClaims, config: AuthConfig, expiresInSeconds = 12 * 3600): string {
  const payload: Record<string, unknown> = { role: claims.role };
  if (claims.storeId) payload.storeId = claims.storeId;
  return jwt.sign(payload, secretKeyOf(config.signingKey), {
    algorithm: 'HS256',
    subject: claims.sub,
    issuer: config.issuer,
    audience: config.audience,
    expiresIn: expiresInSeconds,
  });
}

/**
 * The principal of an `Authorization` header: `null` when there is none (anonymous), the verified
 * claims when it is valid, and UNAUTHENTICATED when it is present but malformed, expired, not yet valid,
 * for another issuer or audience, signed with another key, or `alg: none`.
 *
 * Synchronous: HS256 tokens, and JWKS-signed tokens whose key is already cached (an unknown key starts
 * a background fetch and is refused this time). Use {@link principalFromAuthorizationAsync} wherever a
 * JWKS provider may sign tokens.
 */
export function principalFromAuthorization(header: string | undefined | null, config: AuthConfig): Principal | null {
  const token = bearerTokenOf(header);
  if (token === null) return null;
  const { alg, kid } = headerOf(token);
  if (alg === 'HS256') return verifiedPrincipal(token, config.signingKey, alg, config);
  const jwks = jwksFor(alg, config);
  const key = jwks.peek(kid);
  if (!key) {
    jwks.refreshInBackground();
    throw new UnauthenticatedError('Invalid token: it is signed with a key this service does not know');
  }
  return verifiedPrincipal(token, keyMatching(key, alg), alg, config);
}

/**
 * Like {@link principalFromAuthorization}, and fetches the JWKS when the token's key is not cached
 * (rate-limited; see `jwks.ts`). Every server that may receive provider-signed tokens calls this one.
 */
export async function principalFromAuthorizationAsync(header: string | undefined | null, config: AuthConfig): Promise<Principal | null> {
  const token = bearerTokenOf(header);
  if (token === null) return null;
  const { alg, kid } = headerOf(token);
  if (alg === 'HS256') return verifiedPrincipal(token, config.signingKey, alg, config);
  const key = await jwksFor(alg, config).get(kid);
  if (!key) throw new UnauthenticatedError('Invalid token: it is signed with a key this service does not know');
  return verifiedPrincipal(token, keyMatching(key, alg), alg, config);
}

// Private: the token of a well-formed "Bearer <JWT>" header; null for no header. The length check comes
// first so a megabyte of header costs nothing.
function bearerTokenOf(header: string | undefined | null): string | null {
  if (header === undefined || header === null || header === '') return null;
  if (header.length > MAX_AUTHORIZATION_LENGTH) throw new UnauthenticatedError(`The Authorization header is longer than ${MAX_AUTHORIZATION_LENGTH} characters`);
  const match = /^Bearer\s+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)\s*$/i.exec(header);
  if (!match || !match[1]) throw new UnauthenticatedError('The Authorization header must be "Bearer <JWT>"');
  return match[1];
}

// Private: the JOSE header, read before verification only to choose the key; everything in it is
// attacker-controlled, so it is checked against what we accept and echoed only when it is a short word.
function headerOf(token: string): { alg: string; kid: string | undefined } {
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(token.slice(0, token.indexOf('.')), 'base64url').toString('utf8'));
  } catch {
    throw new UnauthenticatedError('Invalid token: it is not a well-formed JWT');
  }
  if (!header || typeof header !== 'object' || typeof (header as { alg?: unknown }).alg !== 'string') {
    throw new UnauthenticatedError('Invalid token: it is not a well-formed JWT');
  }
  const { alg, kid } = header as { alg: string; kid?: unknown };
  if (alg.toLowerCase() === 'none') throw new UnauthenticatedError('Invalid token: unsigned tokens (alg "none") are refused');
  const accepted = alg === 'HS256' || (ASYMMETRIC_ALGORITHMS as readonly string[]).includes(alg);
  if (!accepted) throw new UnauthenticatedError(`Invalid token: the signing algorithm ${/^[A-Za-z0-9]{1,10}$/.test(alg) ? `"${alg}" ` : ''}is not accepted`);
  return { alg, kid: typeof kid === 'string' ? kid : undefined };
}

function jwksFor(alg: string, config: AuthConfig) {
  if (!config.jwks) throw new UnauthenticatedError(`Invalid token: the signing algorithm "${alg}" is not accepted (no JWKS is configured)`);
  return jwksKeySetFor(config.jwks);
}

// Private: a JWK that names its algorithm may only verify that algorithm (RFC 7517 §4.4).
function keyMatching(key: JwksKey, alg: string): JwksKey['key'] {
  if (key.alg !== undefined && key.alg !== alg) throw new UnauthenticatedError(`Invalid token: its key is for ${key.alg}, not ${alg}`);
  return key.key;
}

// Private: jsonwebtoken 9, given the secret as a string, first tries to parse it as a PEM public key
// and catches the exception — about 3 ms of CPU per sign or verify, on every request of every process.
// A KeyObject skips that (45 µs). One per secret; a process has one or two.
const secretKeys = new Map<string, KeyObject>();
function secretKeyOf(secret: string): KeyObject {
  let key = secretKeys.get(secret);
  if (!key) {
    key = createSecretKey(Buffer.from(secret, 'utf8'));
    secretKeys.set(secret, key);
  }
  return key;
}

function verifiedPrincipal(token: string, key: string | JwksKey['key'], alg: string, config: AuthConfig): Principal {
  if (key === '') throw new UnauthenticatedError('Invalid token: HS256 tokens are not accepted here');
  let payload: jwt.JwtPayload | string;
  try {
    payload = jwt.verify(token, typeof key === 'string' ? secretKeyOf(key) : key, {
      algorithms: [alg as jwt.Algorithm],
      issuer: config.issuer,
      audience: config.audience,
      clockTolerance: config.clockToleranceSeconds,
    });
  } catch (error) {
    throw new UnauthenticatedError(`Invalid token: ${reasonOf(error)}`);
  }
  if (typeof payload === 'string' || typeof payload.sub !== 'string' || payload.sub === '' || payload.sub.length > 256 || !isRole(payload.role)) {
    throw new UnauthenticatedError('Invalid token: it needs a "sub" and a known "role" claim');
  }
  if (typeof payload.exp !== 'number') throw new UnauthenticatedError('Invalid token: it has no expiry ("exp" claim)');
  const principal: Principal = { sub: payload.sub, role: payload.role };
  if (typeof payload.storeId === 'string') principal.storeId = payload.storeId;
  return principal;
}

// Private: jsonwebtoken's messages are mapped to ours, so the wording stays stable and names no key.
function reasonOf(error: unknown): string {
  if (error instanceof jwt.TokenExpiredError) return 'the token has expired';
  if (error instanceof jwt.NotBeforeError) return 'the token is not valid yet';
  const message = error instanceof Error ? error.message : '';
  if (message.startsWith('jwt issuer invalid')) return 'the token was issued by another issuer';
  if (message.startsWith('jwt audience invalid')) return 'the token is meant for another audience';
  if (message === 'invalid signature') return 'its signature does not verify';
  return 'the token could not be verified';
}
