/**
 * Load shedding: a bound on the requests one process works on at once (`MAX_IN_FLIGHT_REQUESTS`), the
 * gateway and every subgraph alike. Past the bound a request is refused at once — before its body is
 * read, before any token is verified or database touched — with HTTP 503, `Retry-After` and a
 * GraphQL-shaped error `OVERLOADED`. Why refuse rather than queue: a process past its capacity that
 * keeps accepting answers everyone late (every request waits behind all the others, memory grows with
 * the queue, clients time out and retry, adding load); refusing the excess keeps the accepted requests
 * fast and tells the caller, cheaply, to come back. Nothing was done for a refused request, so
 * retrying it is always safe, mutations included.
 *
 * Counted: every request from its arrival until its response is finished or its connection closes.
 * Never counted nor refused: `/health`, `/ready` and `/metrics` — an orchestrator must be able to see a
 * busy process, and a busy process is not a dead one.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode } from './errors';
import { OPERATIONAL_PATHS, sendJson, type PreHandler } from './http';
import { Gauge, type Labels, type MetricRegistry } from './metricRegistry';

/** `MAX_IN_FLIGHT_REQUESTS` when unset, for the gateway and for each subgraph. */
export const DEFAULT_MAX_IN_FLIGHT_REQUESTS = 512;

/**
 * What `Retry-After` says. One second: requests in flight finish in milliseconds to seconds, so a
 * slot frees soon; clients add their own backoff and jitter on top.
 */
const RETRY_AFTER_SECONDS = 1;

/** Options for {@link LoadShedder}. */
export interface LoadShedderOptions {
  /** Requests in flight at most; 0 = unbounded (still counted). @default DEFAULT_MAX_IN_FLIGHT_REQUESTS */
  maxInFlight?: number;
  /** Who refuses, as the error message says it: `gateway`, `orders subgraph`… */
  name: string;
}

/** Reads `MAX_IN_FLIGHT_REQUESTS` (a whole number, 0 = unbounded). */
export function readMaxInFlightRequests(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.MAX_IN_FLIGHT_REQUESTS;
  if (raw === undefined || raw.trim() === '') return DEFAULT_MAX_IN_FLIGHT_REQUESTS;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`MAX_IN_FLIGHT_REQUESTS must be a whole number (0 = unbounded), got ${JSON.stringify(raw)}`);
  return value;
}

/** The path of a request, without its query string. */
function pathOf(request: IncomingMessage): string {
  const url = request.url ?? '/';
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
}

/** One process's bound (see module comment); its {@link preHandler} goes first among the HTTP checks. */
export class LoadShedder {
  readonly maxInFlight: number;
  private current = 0;
  private refused = 0;

  constructor(private readonly options: LoadShedderOptions) {
    this.maxInFlight = options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT_REQUESTS;
    if (!Number.isInteger(this.maxInFlight) || this.maxInFlight < 0) throw new Error(`maxInFlight must be a whole number (0 = unbounded), got ${this.maxInFlight}`);
  }

  /** Requests being served now. */
  get inFlight(): number {
    return this.current;
  }

  /** Requests refused since start. */
  get shed(): number {
    return this.refused;
  }

  /** The HTTP pre-handler: counts the request, or answers 503 when the bound is reached. */
  readonly preHandler: PreHandler = (request: IncomingMessage, response: ServerResponse) => {
    if (OPERATIONAL_PATHS.has(pathOf(request))) return false;
    if (this.maxInFlight > 0 && this.current >= this.maxInFlight) {
      this.refused += 1;
      this.refuse(response);
      return true;
    }
    this.current += 1;
    // 'close' comes once per response: after it finished, or when the client went away mid-way.
    response.once('close', () => {
      this.current -= 1;
    });
    return false;
  };

  /**
   * Registers `<prefix>_requests_shed_total`, `<prefix>_http_requests_in_flight` and
   * `<prefix>_max_in_flight_requests` in `registry`, each series with `labels`.
   */
  registerMetrics(registry: MetricRegistry, prefix: string, labels: Labels = {}): void {
    registry.register(new Gauge(`${prefix}_requests_shed_total`, 'Requests refused with 503 OVERLOADED because MAX_IN_FLIGHT_REQUESTS were in flight.', () => [[labels, this.refused]], 'counter'));
    registry.register(new Gauge(`${prefix}_http_requests_in_flight`, 'HTTP requests being served (health, readiness and metrics not counted).', () => [[labels, this.current]]));
    registry.register(new Gauge(`${prefix}_max_in_flight_requests`, 'The load-shedding bound, MAX_IN_FLIGHT_REQUESTS (0 = unbounded).', () => [[labels, this.maxInFlight]]));
  }

  private refuse(response: ServerResponse): void {
    const message = `The ${this.options.name} is overloaded: ${this.maxInFlight} requests are in flight; retry after ${RETRY_AFTER_SECONDS} s`;
    sendJson(response, 503, { errors: [{ message, extensions: { code: ErrorCode.OVERLOADED, retryAfterSeconds: RETRY_AFTER_SECONDS } }] }, { 'retry-after': String(RETRY_AFTER_SECONDS) });
  }
}
