/**
 * The error vocabulary of the whole graph. Every error a client can see carries one of these codes in
 * `extensions.code`; anything else is masked as INTERNAL_SERVER_ERROR (see `formatError`).
 *
 * A plain object `as const` rather than a TS enum, as the mongodb driver's lint rules require.
 */
import { GraphQLError, type GraphQLFormattedError } from 'graphql';

export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  FORBIDDEN: 'FORBIDDEN',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  OUT_OF_STOCK: 'OUT_OF_STOCK',
  INSUFFICIENT_POINTS: 'INSUFFICIENT_POINTS',
  CONSENT_REQUIRED: 'CONSENT_REQUIRED',
  CONFLICT: 'CONFLICT',
  SUBGRAPH_UNAVAILABLE: 'SUBGRAPH_UNAVAILABLE',
  DATABASE_UNAVAILABLE: 'DATABASE_UNAVAILABLE',
  /**
   * The process already has as many requests in flight as it takes (`MAX_IN_FLIGHT_REQUESTS`): HTTP 503
   * with `Retry-After`, before any work is done, so retrying later is always safe (loadShedder.ts).
   */
  OVERLOADED: 'OVERLOADED',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
  // Refusals by the gateway's security features (gateway/src/plugins/README.md); each carries the
  // limit it hit in `extensions`.
  DOCUMENT_TOO_LARGE: 'DOCUMENT_TOO_LARGE',
  TOO_MANY_TOKENS: 'TOO_MANY_TOKENS',
  OPERATION_TOO_DEEP: 'OPERATION_TOO_DEEP',
  TOO_MANY_ALIASES: 'TOO_MANY_ALIASES',
  TOO_MANY_ROOT_FIELDS: 'TOO_MANY_ROOT_FIELDS',
  TOO_MANY_DIRECTIVES: 'TOO_MANY_DIRECTIVES',
  PAGE_SIZE_TOO_LARGE: 'PAGE_SIZE_TOO_LARGE',
  OPERATION_TOO_COMPLEX: 'OPERATION_TOO_COMPLEX',
  TRUSTED_DOCUMENT_REQUIRED: 'TRUSTED_DOCUMENT_REQUIRED',
  RATE_LIMITED: 'RATE_LIMITED',
  CORS_ORIGIN_NOT_ALLOWED: 'CORS_ORIGIN_NOT_ALLOWED',
} as const;

/** One of the codes in {@link ErrorCode}. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Codes that are safe to show to clients as they are: they describe the request, not our internals. */
const PUBLIC_CODES: ReadonlySet<string> = new Set<string>([
  ...Object.values(ErrorCode),
  // Codes Apollo Server itself produces for malformed requests.
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

/** Base class: a `GraphQLError` whose `extensions.code` is one of ours, plus optional details. */
export class DomainError extends GraphQLError {
  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message, { extensions: { ...details, code } });
    this.name = new.target.name;
  }
}

/** The input is malformed or out of range; `field` names the argument at fault. */
export class BadUserInputError extends DomainError {
  constructor(message: string, details: { field?: string } & Record<string, unknown> = {}) {
    super(ErrorCode.BAD_USER_INPUT, message, details);
  }
}

/** The thing asked for by id does not exist (or the caller may not know that it exists). */
export class NotFoundError extends DomainError {
  constructor(entity: string, id: string) {
    super(ErrorCode.NOT_FOUND, `${entity} ${JSON.stringify(id)} was not found`, { entity, id });
  }
}

/** The caller is known but may not do this. */
export class ForbiddenError extends DomainError {
  constructor(message = 'You are not allowed to do this') {
    super(ErrorCode.FORBIDDEN, message);
  }
}

/** No valid token came with a request that needs one. Never echoes the token. */
export class UnauthenticatedError extends DomainError {
  constructor(message = 'A valid Authorization: Bearer token is required') {
    super(ErrorCode.UNAUTHENTICATED, message);
  }
}

/** The request clashes with the current state (a duplicate identity, an illegal order transition, …). */
export class ConflictError extends DomainError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(ErrorCode.CONFLICT, message, details);
  }
}

/** Not enough stock for a line; names the sku and what is available. */
export class OutOfStockError extends DomainError {
  constructor(sku: string, requested: number, available: number, locationId?: string) {
    super(
      ErrorCode.OUT_OF_STOCK,
      `Only ${available} of ${sku} available${locationId ? ` at ${locationId}` : ''}, ${requested} requested`,
      { sku, requested, available, ...(locationId ? { locationId } : {}) },
    );
  }
}

/** A redemption larger than the balance; carries the balance. */
export class InsufficientPointsError extends DomainError {
  constructor(requested: number, balance: number) {
    super(ErrorCode.INSUFFICIENT_POINTS, `Cannot redeem ${requested} points: the balance is ${balance}`, {
      requested,
      balance,
    });
  }
}

/** The customer has not opted in to being contacted on this channel. */
export class ConsentRequiredError extends DomainError {
  constructor(channel: string) {
    super(ErrorCode.CONSENT_REQUIRED, `The customer has not opted in to messages on ${channel}`, { channel });
  }
}

/** The database cannot be reached right now; the request may be retried. */
export class DatabaseUnavailableError extends DomainError {
  constructor(cause?: unknown) {
    super(ErrorCode.DATABASE_UNAVAILABLE, 'The database is unavailable; try again shortly');
    if (cause !== undefined) (this as { cause?: unknown }).cause = cause;
  }
}

/**
 * Thrown from the default branch of a `switch` over a union: the compiler reports a new member that is
 * not handled, and at run time the value shows in the message.
 */
export class UnreachableCaseError extends Error {
  constructor(value: never) {
    super(`Unreachable case: ${JSON.stringify(value)}`);
  }
}

/** Options for {@link formatError}. */
export interface FormatErrorOptions {
  /** Called with every error that is masked, so it is logged in full. */
  onMasked?: (formatted: GraphQLFormattedError, original: unknown) => void;
  /** Added to masked errors so an operator can find the log line. */
  requestId?: string;
}

/**
 * Apollo Server `formatError`: keeps errors with a public code, masks everything else (driver errors,
 * bugs) as INTERNAL_SERVER_ERROR and strips stack traces, so no MongoDB message or file path reaches a
 * client. Database outages are turned into DATABASE_UNAVAILABLE.
 */
export function formatError(formatted: GraphQLFormattedError, original: unknown, options: FormatErrorOptions = {}): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  if (isDatabaseOutage(original)) {
    options.onMasked?.(formatted, original);
    return {
      message: 'The database is unavailable; try again shortly',
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: ErrorCode.DATABASE_UNAVAILABLE },
    };
  }
  if (typeof code === 'string' && PUBLIC_CODES.has(code) && code !== ErrorCode.INTERNAL_SERVER_ERROR) {
    const { stacktrace: _stack, exception: _exception, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  options.onMasked?.(formatted, original);
  return {
    message: 'Internal server error',
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, ...(options.requestId ? { requestId: options.requestId } : {}) },
  };
}

/**
 * The error underneath GraphQL's wrappers: graphql-js wraps a resolver's error in a GraphQLError, and
 * wraps that again when it passes through another layer (an `_entities` batch, a DataLoader, a located
 * error), so the driver's error can sit several `originalError`s deep.
 */
export function rootCause(error: unknown): unknown {
  let cause = error;
  for (let depth = 0; depth < 10; depth += 1) {
    if (cause instanceof GraphQLError && cause.originalError) cause = cause.originalError;
    // graphql-js's NonErrorThrown keeps what was thrown when it was not an Error.
    else if (cause instanceof Error && cause.name === 'NonErrorThrown' && 'thrownValue' in cause) cause = (cause as { thrownValue: unknown }).thrownValue;
    else break;
  }
  return cause;
}

/** Socket failures the driver can surface bare (e.g. `{ code: 'EPIPE' }` when the server goes away mid-write). */
const SOCKET_FAILURE_CODES: ReadonlySet<string> = new Set(['EPIPE', 'ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EHOSTUNREACH']);

/** True for driver errors that mean "cannot reach the server" rather than "bad command", however wrapped. */
export function isDatabaseOutage(wrapped: unknown): boolean {
  const error = rootCause(wrapped);
  if (error instanceof DatabaseUnavailableError) return true;
  if (!(error instanceof Error)) return isBareSocketFailure(error);
  const name = error.name;
  return (
    name === 'MongoNetworkError' ||
    name === 'MongoServerSelectionError' ||
    name === 'MongoNetworkTimeoutError' ||
    name === 'MongoNotConnectedError' ||
    name === 'MongoTopologyClosedError' ||
    name === 'MongoPoolClearedError' ||
    // The store was closed under the command (a shutdown cutting short a drain stuck on the database).
    name === 'MongoClientClosedError'
  );
}

// Private: a non-Error value thrown with a socket failure code (see SOCKET_FAILURE_CODES).
function isBareSocketFailure(value: unknown): boolean {
  const code = typeof value === 'object' && value !== null ? (value as { code?: unknown }).code : undefined;
  return typeof code === 'string' && SOCKET_FAILURE_CODES.has(code);
}
