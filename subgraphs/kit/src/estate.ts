/** The subgraphs of the estate, their default ports and database names (DESIGN.md "Shape"). */

/** The five subgraphs, in composition order. */
export const SUBGRAPH_NAMES = ['customers', 'inventory', 'orders', 'loyalty', 'messaging'] as const;

/** A subgraph's name; also its folder, schema file and `join__Graph` name. */
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

/** Default ports: gateway 4000, subgraphs 4001–4005. */
export const DEFAULT_PORTS: Record<SubgraphName | 'gateway', number> = {
  gateway: 4000,
  customers: 4001,
  inventory: 4002,
  orders: 4003,
  loyalty: 4004,
  messaging: 4005,
};

/** Each subgraph owns its own database and never reads another's. */
export function databaseNameOf(name: SubgraphName): string {
  return `zocalo_${name}`;
}

/** Environment variable that overrides where the gateway (and other subgraphs) reach a subgraph, e.g. `ORDERS_URL`. */
export function urlVariableOf(name: SubgraphName): string {
  return `${name.toUpperCase()}_URL`;
}

/** Type guard. */
export function isSubgraphName(value: unknown): value is SubgraphName {
  return typeof value === 'string' && (SUBGRAPH_NAMES as readonly string[]).includes(value);
}
