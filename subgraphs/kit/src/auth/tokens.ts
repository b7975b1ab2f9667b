/**
 * Bearer tokens: JWTs signed with HS256. In development every process uses the documented dev key
 * below, so `npm run token` can mint a token for any role; production refuses to start with it
 * (see `readAuthConfig`). Error messages never echo the token.
 */
import jwt from 'jsonwebtoken';
import { UnauthenticatedError } from '../errors';
import { isRole, type Principal, type Role } from './principal';

/**
 * The development signing key. Public on purpose: it is in the README, and anything signed with it is
 * worthless in production, which refuses to start with it.
 */
export const DEV_SIGNING_KEY = 'zocalo-dev-signing-key-not-for-production';

/** Token verification settings, read from the environment by `readAuthConfig`. */
export interface AuthConfig {
  /** HS256 secret. @default DEV_SIGNING_KEY outside production */
  signingKey: string;
  /** Expected `iss`. @default "zocalo" */
  issuer: string;
  /** Expected `aud`. @default "zocalo" */
  audience: string;
  /** Allowed clock difference for `exp`/`nbf`, seconds. @default 30 */
  clockToleranceSeconds: number;
}

/**
 * Reads JWT_SIGNING_KEY, JWT_ISSUER, JWT_AUDIENCE. In production (NODE_ENV=production) a missing key or
 * the dev key is a start-up error: better no service than a forgeable one.
 */
export function readAuthConfig(env: NodeJS.ProcessEnv = process.env): AuthConfig {
  const production = env.NODE_ENV === 'production';
  const signingKey = env.JWT_SIGNING_KEY ?? (production ? '' : DEV_SIGNING_KEY);
  if (production && (signingKey === '' || signingKey === DEV_SIGNING_KEY)) {
    throw new Error('JWT_SIGNING_KEY must be set to a secret of your own when NODE_ENV=production (the dev key is refused)');
  }
  if (signingKey.length < 16) throw new Error('JWT_SIGNING_KEY must be at least 16 characters');
  return {
    signingKey,
    issuer: env.JWT_ISSUER ?? 'zocalo',
    audience: env.JWT_AUDIENCE ?? 'zocalo',
    clockToleranceSeconds: 30,
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
  return jwt.sign(payload, config.signingKey, {
    algorithm: 'HS256',
    subject: claims.sub,
    issuer: config.issuer,
    audience: config.audience,
    expiresIn: expiresInSeconds,
  });
}

/**
 * The principal of an `Authorization` header: `null` when there is none (anonymous), the verified
 * claims when it is valid, and UNAUTHENTICATED when it is present but malformed, expired, signed with
 * another key or `alg: none`.
 */
export function principalFromAuthorization(header: string | undefined | null, config: AuthConfig): Principal | null {
  if (header === undefined || header === null || header === '') return null;
  const match = /^Bearer\s+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)\s*$/i.exec(header);
  if (!match || !match[1]) throw new UnauthenticatedError('The Authorization header must be "Bearer <JWT>"');
  let payload: jwt.JwtPayload | string;
  try {
    payload = jwt.verify(match[1], config.signingKey, {
      algorithms: ['HS256'],
      issuer: config.issuer,
      audience: config.audience,
      clockTolerance: config.clockToleranceSeconds,
    });
  } catch (error) {
    const reason = error instanceof jwt.TokenExpiredError ? 'the token has expired' : error instanceof jwt.NotBeforeError ? 'the token is not valid yet' : 'the token could not be verified';
    throw new UnauthenticatedError(`Invalid token: ${reason}`);
  }
  if (typeof payload === 'string' || typeof payload.sub !== 'string' || payload.sub === '' || !isRole(payload.role)) {
    throw new UnauthenticatedError('Invalid token: it needs a "sub" and a known "role" claim');
  }
  const principal: Principal = { sub: payload.sub, role: payload.role };
  if (typeof payload.storeId === 'string') principal.storeId = payload.storeId;
  return principal;
}
