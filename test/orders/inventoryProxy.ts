/**
 * A real HTTP hop between the orders subgraph and the real inventory subgraph, for failure tests: it
 * forwards every request as it is, and lets a test act on chosen operations — hold inventory's answer
 * back (inventory did the work, orders hears nothing in time), answer 503 instead of forwarding
 * (inventory down for that call), or run a step after inventory answered and before orders hears it.
 * Nothing is mocked: inventory and its database do the real work.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What to do with requests whose operation name matches. */
export interface ProxyRule {
  /** The GraphQL operation name, e.g. `OrdersReserveStock`. */
  operationName: string;
  /** Answer 503 without forwarding. */
  refuse?: boolean;
  /** Forward at once, but hold inventory's answer back this long. */
  holdAnswerMs?: number;
  /** Run after inventory answered, before the answer goes back. */
  afterAnswer?: () => Promise<void>;
}

/** A running proxy. */
export interface InventoryProxy {
  /** The URL to give orders as `inventoryUrl`. */
  url: string;
  /** Replaces the rules (empty: a transparent proxy). */
  setRules(rules: ProxyRule[]): void;
  /** Operation names forwarded so far, in order. */
  forwarded: string[];
  /** Waits for answers still held back, then closes. */
  stop(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/** Starts a proxy in front of `targetUrl` (inventory's `/graphql`). */
export async function startInventoryProxy(targetUrl: string): Promise<InventoryProxy> {
  let rules: ProxyRule[] = [];
  const forwarded: string[] = [];
  const inFlight = new Set<Promise<void>>();

  const server: Server = createServer((request, response) => {
    const handling = (async () => {
      const body = await readBody(request);
      const operationName = /(?:query|mutation)\s+(\w+)/.exec(body)?.[1] ?? '';
      const rule = rules.find((candidate) => candidate.operationName === operationName);
      if (rule?.refuse) {
        response.writeHead(503, { 'content-type': 'text/plain' }).end('inventory is down');
        return;
      }
      forwarded.push(operationName);
      const answer = await fetch(targetUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: request.headers.authorization ?? '' }, body });
      const text = await answer.text();
      if (rule?.afterAnswer) await rule.afterAnswer();
      if (rule?.holdAnswerMs) await new Promise((resolve) => setTimeout(resolve, rule.holdAnswerMs));
      // The caller may have given up meanwhile; writing to a closed socket is harmless.
      response.writeHead(answer.status, { 'content-type': 'application/json' }).end(text);
    })().catch(() => {
      if (!response.headersSent) response.writeHead(502).end();
    });
    inFlight.add(handling);
    void handling.finally(() => inFlight.delete(handling));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/graphql`,
    setRules(next) {
      rules = next;
    },
    forwarded,
    async stop() {
      await Promise.all([...inFlight]);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
