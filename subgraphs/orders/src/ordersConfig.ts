/**
 * What the orders subgraph reads from its environment besides the kit's common configuration: where
 * inventory is and how long to wait for it. Read once when the server is built; a bad value stops the
 * process with a message naming the variable.
 */
import { DEFAULT_PORTS, urlVariableOf } from '../../kit/src';
import { requireId } from './validation/requireId';

/** Orders' own settings. */
export interface OrdersConfig {
  /** `INVENTORY_URL`. @default "http://127.0.0.1:4002/graphql" */
  inventoryUrl: string;
  /** `INVENTORY_TIMEOUT_MS`, 100–60000. @default 3000 */
  inventoryTimeoutMs: number;
  /** `DEFAULT_WAREHOUSE_ID`: where SHIP_TO_HOME orders reserve when they name no location. @default "MX-WH-TEPOTZOTLAN" */
  defaultWarehouseId: string;
  /** `RESERVATION_SETTLE_INTERVAL_SECONDS`: how often reservations left HELD are settled (reservationSettler.ts); 0 turns it off. @default 60 */
  reservationSettleIntervalSeconds: number;
}

/** Reads and validates {@link OrdersConfig}. */
export function readOrdersConfig(env: NodeJS.ProcessEnv = process.env): OrdersConfig {
  const urlVariable = urlVariableOf('inventory');
  const inventoryUrl = env[urlVariable] || `http://127.0.0.1:${DEFAULT_PORTS.inventory}/graphql`;
  let parsed: URL;
  try {
    parsed = new URL(inventoryUrl);
  } catch {
    throw new Error(`${urlVariable} must be an http(s) URL, got ${JSON.stringify(inventoryUrl)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`${urlVariable} must be an http(s) URL, got ${JSON.stringify(inventoryUrl)}`);

  const rawTimeout = env.INVENTORY_TIMEOUT_MS;
  const inventoryTimeoutMs = rawTimeout === undefined || rawTimeout === '' ? 3000 : Number(rawTimeout);
  if (!Number.isInteger(inventoryTimeoutMs) || inventoryTimeoutMs < 100 || inventoryTimeoutMs > 60_000) {
    throw new Error(`INVENTORY_TIMEOUT_MS must be a whole number of milliseconds from 100 to 60000, got ${JSON.stringify(rawTimeout)}`);
  }

  const defaultWarehouseId = env.DEFAULT_WAREHOUSE_ID || 'MX-WH-TEPOTZOTLAN';
  try {
    requireId(defaultWarehouseId, 'DEFAULT_WAREHOUSE_ID');
  } catch {
    throw new Error(`DEFAULT_WAREHOUSE_ID must be a location id, got ${JSON.stringify(defaultWarehouseId)}`);
  }
  const rawInterval = env.RESERVATION_SETTLE_INTERVAL_SECONDS;
  const reservationSettleIntervalSeconds = rawInterval === undefined || rawInterval === '' ? 60 : Number(rawInterval);
  if (!Number.isInteger(reservationSettleIntervalSeconds) || reservationSettleIntervalSeconds < 0 || reservationSettleIntervalSeconds > 86_400) {
    throw new Error(`RESERVATION_SETTLE_INTERVAL_SECONDS must be a whole number of seconds from 0 to 86400, got ${JSON.stringify(rawInterval)}`);
  }
  return { inventoryUrl, inventoryTimeoutMs, defaultWarehouseId, reservationSettleIntervalSeconds };
}
