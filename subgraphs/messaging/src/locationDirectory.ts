/**
 * Store names for notices ("listo para recoger en Zócalo Polanco"). Events carry location ids; names
 * belong to the inventory subgraph, whose `location(id)` query is public. Names are cached for the life
 * of the process (stores are not renamed often), and a notice never waits on inventory for long nor
 * fails because of it: without a name it says the location id.
 */
import { DEFAULT_PORTS, urlVariableOf, type Logger } from '../../kit/src';

/** Finds a location's display name. */
export interface LocationDirectory {
  /** The name of `locationId`, or null when it cannot be learned now. */
  nameOf(locationId: string): Promise<string | null>;
}

/** Options for {@link createInventoryLocationDirectory}. */
export interface InventoryLocationDirectoryOptions {
  /** @default `INVENTORY_URL` or http://127.0.0.1:4002/graphql */
  url?: string;
  /** @default 1500 */
  timeoutMs?: number;
  logger?: Logger;
}

/** Asks the inventory subgraph (see module comment). */
export function createInventoryLocationDirectory(options: InventoryLocationDirectoryOptions = {}): LocationDirectory {
  const url = options.url ?? process.env[urlVariableOf('inventory')] ?? `http://127.0.0.1:${DEFAULT_PORTS.inventory}/graphql`;
  const timeoutMs = options.timeoutMs ?? 1500;
  const names = new Map<string, string>();
  return {
    async nameOf(locationId) {
      const cached = names.get(locationId);
      if (cached) return cached;
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: 'query LocationName($id: ID!) { location(id: $id) { name } }', variables: { id: locationId } }),
          signal: AbortSignal.timeout(timeoutMs),
        });
        const body = (await response.json()) as { data?: { location?: { name?: unknown } | null } };
        const name = body.data?.location?.name;
        if (typeof name !== 'string') return null;
        names.set(locationId, name);
        return name;
      } catch (error) {
        options.logger?.warn('location name unavailable; the notice names the location id', { locationId, error });
        return null;
      }
    },
  };
}

/** A fixed directory (a subgraph run without inventory, scripts, tests). */
export function createStaticLocationDirectory(names: Readonly<Record<string, string>>): LocationDirectory {
  return { nameOf: async (locationId) => names[locationId] ?? null };
}
