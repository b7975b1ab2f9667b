/**
 * The audit log: every `@audited` field of the SDL (merge, erase, stock and points adjustments,
 * redemptions, staff reads of a customer) leaves an entry with who, when, what and the outcome in the
 * `audit` collection of the subgraph that did it — refusals included — and ADMIN alone reads the log
 * through `GET /internal/audit`. Runs against the seeded estate, through the gateway.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DemoDataset } from '../../scripts/seed/demoDataset';
import { AUDIT_COLLECTION, AuditLog, type AuditEntry, type SubgraphName } from '../../subgraphs/kit/src';
import { createCapturingLogger } from '../events/capturingLogger';
import { startEstate, type RunningEstate } from '../support/estate';
import { execute, tokenFor } from '../support/testkit';

describe('the audit log', () => {
  let estate: RunningEstate;
  let dataset: DemoDataset | undefined;
  let requests = 0;

  beforeAll(async () => {
    estate = await startEstate({
      databasePrefix: 'auditlog',
      seed: {
        customers: 6,
        orders: 10,
        products: 12,
        prepare: (seeded) => {
          dataset = seeded;
        },
      },
    });
  }, 180_000);

  afterAll(async () => {
    await estate?.stop();
  });

  /** Runs an operation through the gateway under a fresh request id; returns the id and the response. */
  const call = async (query: string, variables: Record<string, unknown>, token?: string) => {
    requests += 1;
    const requestId = `audit-test-${requests}`;
    const response = await execute(estate.url, query, variables, token, { 'x-request-id': requestId });
    return { requestId, response };
  };
  const entriesOf = (subgraph: SubgraphName, requestId: string) =>
    estate.subgraphs[subgraph].store.collection<AuditEntry>(AUDIT_COLLECTION).find({ requestId }).toArray();
  const customerIds = () => (dataset?.customers ?? []).map((customer) => customer.id);

  it("records a staff member's read of a customer, with who, when and whom", async () => {
    const [id] = customerIds();
    const before = new Date();
    const { requestId, response } = await call('query ($id: ID!) { customer(id: $id) { displayName } }', { id }, tokenFor('AGENT', 'agent-007'));
    expect(response.errors).toBeUndefined();
    const entries = await entriesOf('customers', requestId);
    expect(entries).toEqual([
      expect.objectContaining({
        subgraph: 'customers',
        action: 'Query.customer',
        actor: { sub: 'agent-007', role: 'AGENT' },
        arguments: { id },
        targetIds: [id],
        outcome: 'OK',
        requestId,
      }),
    ]);
    expect(entries[0]?.at.getTime()).toBeGreaterThanOrEqual(before.getTime() - 1000);
  });

  it("does not record a customer's read of themself (not role-elevated), but records a refused read of someone else", async () => {
    const [id, other] = customerIds();
    const own = await call('query ($id: ID!) { customer(id: $id) { displayName } }', { id }, tokenFor('CUSTOMER', id));
    expect(own.response.errors).toBeUndefined();
    expect(await entriesOf('customers', own.requestId)).toEqual([]);

    const refused = await call('query ($id: ID!) { customer(id: $id) { displayName } }', { id: other }, tokenFor('CUSTOMER', id));
    expect(refused.response.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await entriesOf('customers', refused.requestId)).toEqual([
      expect.objectContaining({ action: 'Query.customer', actor: { sub: id, role: 'CUSTOMER' }, arguments: { id: other }, outcome: 'DENIED', code: 'FORBIDDEN' }),
    ]);
  });

  it('records searches with the customers they returned', async () => {
    const first = dataset?.customers[0]?.displayName.split(' ')[0] ?? 'a';
    const { requestId, response } = await call('query ($q: String!) { searchCustomers(query: $q, first: 5) { nodes { id } } }', { q: first }, tokenFor('ASSOCIATE', 'associate-9', 'MX-CDMX-CENTRO'));
    const ids = (response.data as { searchCustomers: { nodes: { id: string }[] } }).searchCustomers.nodes.map((node) => node.id);
    expect(ids.length).toBeGreaterThan(0);
    expect(await entriesOf('customers', requestId)).toEqual([
      expect.objectContaining({ action: 'Query.searchCustomers', actor: { sub: 'associate-9', role: 'ASSOCIATE', storeId: 'MX-CDMX-CENTRO' }, targetIds: ids, outcome: 'OK' }),
    ]);
  });

  it('records merges and erasures, including failed ones', async () => {
    const [, , survivor, duplicate, erased] = customerIds();
    const merged = await call('mutation ($s: ID!, $d: ID!) { mergeCustomers(survivorId: $s, duplicateId: $d) { id } }', { s: survivor, d: duplicate }, tokenFor('AGENT', 'agent-merge'));
    expect(merged.response.errors).toBeUndefined();
    expect(await entriesOf('customers', merged.requestId)).toEqual([
      expect.objectContaining({ action: 'Mutation.mergeCustomers', actor: { sub: 'agent-merge', role: 'AGENT' }, arguments: { survivorId: survivor, duplicateId: duplicate }, targetIds: [survivor], outcome: 'OK' }),
    ]);

    const failed = await call('mutation ($s: ID!, $d: ID!) { mergeCustomers(survivorId: $s, duplicateId: $d) { id } }', { s: survivor, d: 'cus_999999' }, tokenFor('ADMIN', 'admin-1'));
    const code = failed.response.errors?.[0]?.extensions?.code;
    expect(code).toBeDefined();
    expect(await entriesOf('customers', failed.requestId)).toEqual([expect.objectContaining({ action: 'Mutation.mergeCustomers', outcome: 'FAILED', code })]);

    const erasure = await call('mutation ($id: ID!) { eraseCustomer(id: $id) }', { id: erased }, tokenFor('CUSTOMER', erased));
    expect(erasure.response.data).toEqual({ eraseCustomer: true });
    expect(await entriesOf('customers', erasure.requestId)).toEqual([
      expect.objectContaining({ action: 'Mutation.eraseCustomer', actor: { sub: erased, role: 'CUSTOMER' }, arguments: { id: erased }, outcome: 'OK' }),
    ]);
  });

  it('records stock adjustments in inventory and points adjustments and redemptions in loyalty', async () => {
    const stores = new Set((dataset?.locations ?? []).filter((location) => location.kind === 'STORE').map((location) => location.id));
    const stock = dataset?.stock.find((level) => stores.has(level.locationId));
    if (!stock) throw new Error('no store stock in the seeded dataset');
    const adjusted = await call(
      'mutation ($l: ID!, $sku: ID!) { adjustStock(locationId: $l, sku: $sku, delta: 2, reason: "conteo de inventario") { onHand } }',
      { l: stock.locationId, sku: stock.sku },
      tokenFor('ASSOCIATE', 'associate-stock', stock.locationId),
    );
    expect(adjusted.response.errors).toBeUndefined();
    expect(await entriesOf('inventory', adjusted.requestId)).toEqual([
      expect.objectContaining({
        action: 'Mutation.adjustStock',
        actor: { sub: 'associate-stock', role: 'ASSOCIATE', storeId: stock.locationId },
        arguments: { locationId: stock.locationId, sku: stock.sku, delta: 2, reason: 'conteo de inventario' },
        outcome: 'OK',
      }),
    ]);

    const [customer] = customerIds();
    await call('mutation ($id: ID!) { enrollLoyalty(customerId: $id, channel: WEB) { tier } }', { id: customer }, tokenFor('AGENT'));
    const points = await call('mutation ($id: ID!) { adjustPoints(customerId: $id, points: 50, reason: "compensación por retraso") { points } }', { id: customer }, tokenFor('ADMIN', 'admin-points'));
    expect(points.response.errors).toBeUndefined();
    const redemption = await call('mutation ($id: ID!) { redeemPoints(customerId: $id, points: 20, channel: STORE, idempotencyKey: "audit-redeem-1") { points } }', { id: customer }, tokenFor('CUSTOMER', customer));
    expect(redemption.response.errors).toBeUndefined();
    expect(await entriesOf('loyalty', points.requestId)).toEqual([
      expect.objectContaining({ action: 'Mutation.adjustPoints', actor: { sub: 'admin-points', role: 'ADMIN' }, arguments: expect.objectContaining({ customerId: customer, points: 50 }), outcome: 'OK' }),
    ]);
    expect(await entriesOf('loyalty', redemption.requestId)).toEqual([
      expect.objectContaining({ action: 'Mutation.redeemPoints', actor: { sub: customer, role: 'CUSTOMER' }, arguments: expect.objectContaining({ points: 20, channel: 'STORE' }), outcome: 'OK' }),
    ]);
  });

  it('lets ADMIN alone read a subgraph log, newest first, page by page', async () => {
    const audit = (token?: string, search = '') =>
      fetch(estate.subgraphs.customers.url.replace(/\/graphql$/, `/internal/audit${search}`), { headers: token ? { authorization: `Bearer ${token}` } : {} });
    expect((await audit()).status).toBe(401);
    expect((await audit(tokenFor('AGENT'))).status).toBe(403);
    expect((await audit(tokenFor('SERVICE'))).status).toBe(403);

    const first = (await (await audit(tokenFor('ADMIN'), '?first=2')).json()) as { nodes: { action: string; at: string; _id: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string } };
    expect(first.nodes).toHaveLength(2);
    expect(first.pageInfo.hasNextPage).toBe(true);
    expect(first.nodes[0]?.action).toBe('Mutation.eraseCustomer');
    const second = (await (await audit(tokenFor('ADMIN'), `?first=2&after=${first.pageInfo.endCursor}`)).json()) as typeof first;
    expect(second.nodes.map((node) => node._id)).not.toContain(first.nodes[1]?._id);
    expect(new Date(second.nodes[0]?.at ?? 0).getTime()).toBeLessThanOrEqual(new Date(first.nodes[1]?.at ?? 0).getTime());
    expect((await audit(tokenFor('ADMIN'), '?first=1000')).status).toBe(400);
  });

  it('writes a structured log line for each entry, with strings cut short', async () => {
    const logger = createCapturingLogger();
    const log = new AuditLog(estate.subgraphs.customers.store, 'customers', logger);
    const entry = await log.record({ action: 'export', principal: { sub: 'admin-1', role: 'ADMIN' }, arguments: { note: 'x'.repeat(500) }, outcome: 'OK', requestId: 'req-log-1' });
    const line = logger.lines.find((candidate) => candidate.message === 'audit');
    expect(line?.fields).toMatchObject({ _id: entry._id.toHexString(), subgraph: 'customers', action: 'export', actor: { sub: 'admin-1', role: 'ADMIN' }, outcome: 'OK', requestId: 'req-log-1' });
    expect(String((line?.fields.arguments as { note: string }).note)).toHaveLength(201);
    expect(await estate.subgraphs.customers.store.collection<AuditEntry>(AUDIT_COLLECTION).countDocuments({ requestId: 'req-log-1' })).toBe(1);
  });
});
