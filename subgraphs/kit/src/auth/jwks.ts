/**
 * Public keys of an identity provider, fetched from its JWKS URL (RFC 7517) and cached, so tokens
 * signed with RS256/ES256 by that provider can be verified. Rotation works without a restart: a token
 * whose `kid` is not cached makes the set fetch again — but at most once per `minRefetchSeconds`, so a
 * stream of tokens with made-up `kid`s cannot turn the gateway into a flood against the provider.
 * When the provider is down, the keys already fetched keep working.
 */
import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';

/** Where and how often to fetch the key set. */
export interface JwksSettings {
  /** `JWT_JWKS_URL`. */
  url: string;
  /** How long a fetched set is fresh; after that the next verification fetches again. @default 600 */
  cacheSeconds: number;
  /** Shortest interval between two fetches, whatever the reason. @default 30 */
  minRefetchSeconds: number;
}

/** One usable verification key. */
export interface JwksKey {
  kid?: string;
  /** The JWK's `alg`, when it names one: a token must then use exactly that algorithm. */
  alg?: string;
  key: KeyObject;
}

// Private: bounds on what a (possibly compromised or misconfigured) provider can make us hold.
const MAX_KEYS = 50;
const MAX_RESPONSE_BYTES = 256 * 1024;
const FETCH_TIMEOUT_MS = 5000;

/** A cached JWKS (see module comment). */
export class JwksKeySet {
  private keys: JwksKey[] = [];
  private fetchedAt = Number.NEGATIVE_INFINITY;
  private attemptedAt = Number.NEGATIVE_INFINITY;
  private inflight: Promise<void> | undefined;

  constructor(
    private readonly settings: JwksSettings,
    private readonly now: () => number = Date.now,
  ) {}

  /** The cached key for `kid`, without any network (a token without `kid` matches a set of one key). */
  peek(kid: string | undefined): JwksKey | undefined {
    if (kid === undefined) return this.keys.length === 1 ? this.keys[0] : undefined;
    return this.keys.find((key) => key.kid === kid);
  }

  /** The key for `kid`, fetching the set first when it is stale or does not know `kid` (rate-limited). */
  async get(kid: string | undefined): Promise<JwksKey | undefined> {
    const cached = this.peek(kid);
    const stale = this.now() - this.fetchedAt > this.settings.cacheSeconds * 1000;
    if (cached && !stale) return cached;
    await this.refresh();
    return this.peek(kid) ?? cached;
  }

  /** Starts a refresh in the background (for synchronous callers that can only use cached keys). */
  refreshInBackground(): void {
    void this.refresh();
  }

  /** Fetches the set unless one was fetched (or tried) less than `minRefetchSeconds` ago; concurrent callers share one fetch. */
  refresh(): Promise<void> {
    if (this.inflight) return this.inflight;
    if (this.now() - this.attemptedAt < this.settings.minRefetchSeconds * 1000) return Promise.resolve();
    this.attemptedAt = this.now();
    this.inflight = this.fetchKeys()
      .then((keys) => {
        this.keys = keys;
        this.fetchedAt = this.now();
      })
      // Keep the keys we have: an outage of the provider must not log everybody out.
      .catch(() => undefined)
      .finally(() => {
        this.inflight = undefined;
      });
    return this.inflight;
  }

  private async fetchKeys(): Promise<JwksKey[]> {
    const response = await fetch(this.settings.url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), headers: { accept: 'application/json' } });
    if (!response.ok) throw new Error(`JWKS ${this.settings.url} answered HTTP ${response.status}`);
    const text = await response.text();
    if (text.length > MAX_RESPONSE_BYTES) throw new Error(`JWKS ${this.settings.url} is larger than ${MAX_RESPONSE_BYTES} bytes`);
    const body = JSON.parse(text) as { keys?: unknown };
    if (!Array.isArray(body.keys)) throw new Error(`JWKS ${this.settings.url} has no "keys" array`);
    const keys: JwksKey[] = [];
    for (const candidate of body.keys.slice(0, MAX_KEYS)) {
      const key = usableKey(candidate);
      if (key) keys.push(key);
    }
    return keys;
  }
}

// Private: a signing key of a kind jsonwebtoken verifies (RSA, EC); private parts are ignored, and a
// key that Node cannot import is skipped rather than failing the whole set.
function usableKey(candidate: unknown): JwksKey | undefined {
  if (!candidate || typeof candidate !== 'object') return undefined;
  const jwk = candidate as JsonWebKey & { kid?: unknown; use?: unknown; alg?: unknown };
  if (jwk.use !== undefined && jwk.use !== 'sig') return undefined;
  if (jwk.kty !== 'RSA' && jwk.kty !== 'EC') return undefined;
  try {
    const publicJwk: JsonWebKey =
      jwk.kty === 'RSA' ? { kty: 'RSA', n: jwk.n, e: jwk.e } : { kty: 'EC', crv: jwk.crv, x: jwk.x, y: jwk.y };
    const key = createPublicKey({ key: publicJwk, format: 'jwk' });
    return { key, ...(typeof jwk.kid === 'string' ? { kid: jwk.kid } : {}), ...(typeof jwk.alg === 'string' ? { alg: jwk.alg } : {}) };
  } catch {
    return undefined;
  }
}

// Private: one key set per URL for the whole process, so every request shares the cache.
const keySets = new Map<string, JwksKeySet>();

/** The process-wide key set of `settings.url`. */
export function jwksKeySetFor(settings: JwksSettings): JwksKeySet {
  let keySet = keySets.get(settings.url);
  if (!keySet) {
    keySet = new JwksKeySet(settings);
    keySets.set(settings.url, keySet);
  }
  return keySet;
}
