/**
 * The orders subgraph's only way to the inventory subgraph: its SERVICE-only reservation mutations and
 * the public catalogue (`_entities` for Product and Location), over HTTP with a SERVICE token and a
 * timeout. Orders never reads inventory's database (DESIGN.md "Shape").
 *
 * Errors are translated once, here: a request-shaped error of inventory (OUT_OF_STOCK, BAD_USER_INPUT,
 * NOT_FOUND, CONFLICT) keeps its code and details so the client of orders learns which line failed; a
 * connection failure, timeout, 5xx or database outage over there becomes SUBGRAPH_UNAVAILABLE; anything
 * else (a refused SERVICE token is a misconfiguration) is an internal error, masked and logged.
 *
 * A request's calls go through `forRequest(context.correlation)`, so inventory sees the request's
 * `x-request-id` and `traceparent`: its log lines and spans join the caller's.
 */
import { DomainError, ErrorCode, centsFromAmount, signToken, type AuthConfig, type EventCorrelation } from '../../kit/src';
import { SubgraphUnavailableError } from './subgraphUnavailableError';

/** Options for {@link InventoryClient}. */
export interface InventoryClientOptions {
  /** Inventory's GraphQL endpoint. @default process.env.INVENTORY_URL ?? "http://127.0.0.1:4002/graphql" */
  url: string;
  /** Used to mint the SERVICE token (same signing key as every subgraph). */
  auth: AuthConfig;
  /** Per-request timeout in milliseconds. @default 3000 */
  timeoutMs?: number;
}

/** A quantity of a sku, as inventory's `LineInput`. */
export interface InventoryLine {
  sku: string;
  quantity: number;
}

/** What orders needs of a catalogue product. */
export interface CatalogueProduct {
  sku: string;
  name: string;
  priceCents: number;
  active: boolean;
}

/** What orders needs of a location to check a fulfilment method against it. */
export interface CatalogueLocation {
  id: string;
  kind: 'STORE' | 'WAREHOUSE';
  pickupEnabled: boolean;
  shipFromStoreEnabled: boolean;
}

/** Inventory's `Reservation`. */
export interface ReservationState {
  orderId: string;
  locationId: string;
  /** HELD, COMMITTED or RELEASED. */
  status: string;
}

/** Inventory error codes that describe the request and so go through to our client unchanged. */
const PASS_THROUGH_CODES: ReadonlySet<string> = new Set([ErrorCode.OUT_OF_STOCK, ErrorCode.BAD_USER_INPUT, ErrorCode.NOT_FOUND, ErrorCode.CONFLICT]);

/** Inventory error codes that mean "inventory cannot serve right now". */
const UNAVAILABLE_CODES: ReadonlySet<string> = new Set([ErrorCode.DATABASE_UNAVAILABLE, ErrorCode.SUBGRAPH_UNAVAILABLE]);

/** A SERVICE token lives an hour; a fresh one is minted five minutes before that. */
const TOKEN_LIFETIME_SECONDS = 3600;
const TOKEN_REFRESH_MARGIN_MS = 5 * 60_000;

const RESERVATION_FIELDS = 'orderId locationId status';

interface GraphQLErrorBody {
  message?: string;
  extensions?: Record<string, unknown>;
}

interface GraphQLBody<T> {
  data?: T | null;
  errors?: GraphQLErrorBody[];
}

/** An inventory error that passes through to the client of orders with its code and details. */
export class InventoryRequestError extends DomainError {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown>,
  ) {
    super(code, message, details);
  }
}

/** The SERVICE token, shared by a client and its per-request views. */
interface TokenHolder {
  current: { value: string; renewAt: number } | null;
}

/** Client of the inventory subgraph (see module comment). One per process; safe to share. */
export class InventoryClient {
  readonly url: string;
  readonly timeoutMs: number;
  private readonly auth: AuthConfig;

  constructor(
    private readonly options: InventoryClientOptions,
    private readonly token: TokenHolder = { current: null },
    private readonly correlationHeaders: Record<string, string> = {},
  ) {
    this.url = options.url;
    this.auth = options.auth;
    this.timeoutMs = options.timeoutMs ?? 3000;
  }

  /** This client for one request: its calls carry the request's id and trace (same pool, same token). */
  forRequest(correlation: EventCorrelation): InventoryClient {
    const headers: Record<string, string> = {};
    if (correlation.requestId) headers['x-request-id'] = correlation.requestId;
    if (correlation.traceparent) headers.traceparent = correlation.traceparent;
    return new InventoryClient(this.options, this.token, headers);
  }

  /** Products and locations by key, in key order, `null` for unknown ones; one HTTP round trip. */
  async catalogue(skus: readonly string[], locationIds: readonly string[] = []): Promise<{ products: (CatalogueProduct | null)[]; locations: (CatalogueLocation | null)[] }> {
    if (skus.length === 0 && locationIds.length === 0) return { products: [], locations: [] };
    const representations = [...skus.map((sku) => ({ __typename: 'Product', sku })), ...locationIds.map((id) => ({ __typename: 'Location', id }))];
    const data = await this.request<{ _entities: (Record<string, unknown> | null)[] }>(
      `query OrdersCatalogue($representations: [_Any!]!) {
        _entities(representations: $representations) {
          ... on Product { sku name price { amount } active }
          ... on Location { id kind pickupEnabled shipFromStoreEnabled }
        }
      }`,
      { representations },
    );
    const entities = data._entities ?? [];
    const products = skus.map((_, index) => toProduct(entities[index] ?? null));
    const locations = locationIds.map((_, index) => toLocation(entities[skus.length + index] ?? null));
    return { products, locations };
  }

  /** Reserves every line at the location or none; idempotent by order id. */
  async reserveStock(orderId: string, locationId: string, lines: readonly InventoryLine[]): Promise<ReservationState> {
    const data = await this.request<{ reserveStock: ReservationState }>(
      `mutation OrdersReserveStock($orderId: ID!, $locationId: ID!, $lines: [LineInput!]!) {
        reserveStock(orderId: $orderId, locationId: $locationId, lines: $lines) { ${RESERVATION_FIELDS} }
      }`,
      { orderId, locationId, lines: lines.map(({ sku, quantity }) => ({ sku, quantity })) },
    );
    return data.reserveStock;
  }

  /** Releases the order's held reservation; `null` when inventory knows none. Idempotent. */
  async releaseReservation(orderId: string): Promise<ReservationState | null> {
    const data = await this.request<{ releaseReservation: ReservationState | null }>(
      `mutation OrdersReleaseReservation($orderId: ID!) { releaseReservation(orderId: $orderId) { ${RESERVATION_FIELDS} } }`,
      { orderId },
    );
    return data.releaseReservation ?? null;
  }

  /** Commits the order's reservation (stock leaves on hand); `null` when inventory knows none. Idempotent. */
  async commitReservation(orderId: string): Promise<ReservationState | null> {
    const data = await this.request<{ commitReservation: ReservationState | null }>(
      `mutation OrdersCommitReservation($orderId: ID!) { commitReservation(orderId: $orderId) { ${RESERVATION_FIELDS} } }`,
      { orderId },
    );
    return data.commitReservation ?? null;
  }

  /** Puts returned units back on hand at a location; idempotent by return id. */
  async restock(returnId: string, locationId: string, lines: readonly InventoryLine[]): Promise<boolean> {
    const data = await this.request<{ restock: boolean }>(
      `mutation OrdersRestock($returnId: ID!, $locationId: ID!, $lines: [LineInput!]!) {
        restock(returnId: $returnId, locationId: $locationId, lines: $lines)
      }`,
      { returnId, locationId, lines: lines.map(({ sku, quantity }) => ({ sku, quantity })) },
    );
    return data.restock;
  }

  // Private: one token for all calls until it nears expiry, so a busy process does not sign per request.
  private serviceToken(): string {
    const now = Date.now();
    if (this.token.current && this.token.current.renewAt > now) return this.token.current.value;
    const value = signToken({ sub: 'orders', role: 'SERVICE' }, this.auth, TOKEN_LIFETIME_SECONDS);
    this.token.current = { value, renewAt: now + TOKEN_LIFETIME_SECONDS * 1000 - TOKEN_REFRESH_MARGIN_MS };
    return value;
  }

  // Private: the single HTTP exchange, where every failure is translated (see module comment). One
  // deadline covers the whole exchange. A connection that fails before any answer (typically a pooled
  // keep-alive connection the server closed at that very moment) is tried once more on a fresh one:
  // every call here is safe to repeat (reads; reservations by order id; restocks by return id).
  private async request<T>(query: string, variables: Record<string, unknown>): Promise<T> {
    const signal = AbortSignal.timeout(this.timeoutMs);
    const send = () =>
      fetch(this.url, {
        method: 'POST',
        headers: { ...this.correlationHeaders, 'content-type': 'application/json', authorization: `Bearer ${this.serviceToken()}` },
        body: JSON.stringify({ query, variables }),
        signal,
      });
    let response: Response;
    try {
      response = await send().catch((error: unknown) => (signal.aborted ? Promise.reject(error) : send()));
    } catch {
      throw new SubgraphUnavailableError('inventory', signal.aborted ? `no answer within ${this.timeoutMs} ms` : 'connection failed');
    }
    let body: GraphQLBody<T>;
    try {
      body = (await response.json()) as GraphQLBody<T>;
    } catch {
      throw new SubgraphUnavailableError('inventory', signal.aborted ? `no answer within ${this.timeoutMs} ms` : `HTTP ${response.status} without a GraphQL body`);
    }
    const first = body.errors?.[0];
    if (first) throw translateError(first, response.status);
    if (response.status >= 500 || !body.data) throw new SubgraphUnavailableError('inventory', `HTTP ${response.status}`);
    return body.data;
  }
}

// Private: maps one inventory GraphQL error to what our client should see.
function translateError(error: GraphQLErrorBody, status: number): Error {
  const code = typeof error.extensions?.code === 'string' ? error.extensions.code : '';
  const message = error.message ?? 'inventory error';
  if (PASS_THROUGH_CODES.has(code)) {
    const { code: _code, serviceName: _service, stacktrace: _stack, ...details } = error.extensions ?? {};
    return new InventoryRequestError(code as ErrorCode, message, details);
  }
  if (UNAVAILABLE_CODES.has(code) || status >= 500) return new SubgraphUnavailableError('inventory', code || `HTTP ${status}`);
  return new Error(`Inventory refused a call from orders: ${code || `HTTP ${status}`}: ${message}`);
}

function toProduct(entity: Record<string, unknown> | null): CatalogueProduct | null {
  if (!entity || typeof entity.sku !== 'string') return null;
  const price = entity.price as { amount?: unknown } | null | undefined;
  if (typeof price?.amount !== 'string') return null;
  return { sku: entity.sku, name: String(entity.name ?? entity.sku), priceCents: centsFromAmount(price.amount), active: entity.active === true };
}

function toLocation(entity: Record<string, unknown> | null): CatalogueLocation | null {
  if (!entity || typeof entity.id !== 'string') return null;
  return {
    id: entity.id,
    kind: entity.kind === 'WAREHOUSE' ? 'WAREHOUSE' : 'STORE',
    pickupEnabled: entity.pickupEnabled === true,
    shipFromStoreEnabled: entity.shipFromStoreEnabled === true,
  };
}
