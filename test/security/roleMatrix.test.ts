/**
 * The role matrix: every caller (anonymous, a customer on their own data and on someone else's, and
 * every staff role) × every sensitive field and operation of test/security/accessTable.ts — through
 * the gateway, and directly against the owning subgraph bypassing the gateway (root fields as they
 * are, entity fields through `_entities` representations). An allowed caller must not be refused
 * (other errors — NOT_FOUND, CONFLICT, INSUFFICIENT_POINTS — mean the gate let them through); any
 * other caller must get UNAUTHENTICATED (no token) or FORBIDDEN and none of the customer's data.
 *
 * The table is also checked against the `@public`/`@allow` directives of the SDL and against the
 * README, so the three cannot drift.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { isObjectType } from 'graphql';
import type { DemoDataset } from '../../scripts/seed/demoDataset';
import {
  SUBGRAPH_NAMES,
  authorizationRulesOf,
  isResolvableEntity,
  loadSubgraphTypeDefs,
  repositoryRoot,
  type AuthorizationRule,
  type SubgraphName,
} from '../../subgraphs/kit/src';
import { startEstate, type RunningEstate } from '../support/estate';
import { errorCodes, execute, tokenFor, type GraphQLResponse } from '../support/testkit';
import { ACCESS_TABLE, CALLERS, renderAccessTable, type AccessEntry, type AccessFixtures, type AccessOperation, type Caller } from './accessTable';

const REFUSALS = new Set(['FORBIDDEN', 'UNAUTHENTICATED']);

function rulesOf(name: SubgraphName): Map<string, AuthorizationRule> {
  return authorizationRulesOf(buildSubgraphSchema([{ typeDefs: loadSubgraphTypeDefs(name) }]));
}

/** The callers a rule lets through before any data is looked at. */
function callersOf(rule: AuthorizationRule | undefined): Set<Caller> {
  if (!rule || rule.public) return new Set(CALLERS);
  const callers = new Set<Caller>();
  for (const role of rule.roles) {
    if (role === 'CUSTOMER') {
      callers.add('CUSTOMER own');
      callers.add('CUSTOMER other');
    } else callers.add(role);
  }
  if (rule.owner) callers.add('CUSTOMER own');
  return callers;
}

function fixturesFrom(dataset: DemoDataset): AccessFixtures {
  const conversationOf = (customerId: string) => dataset.conversations.find((conversation) => conversation.customerId === customerId);
  const customer = dataset.customers.find((candidate) => candidate.phone && conversationOf(candidate.id) && dataset.orders.some((order) => order.customerId === candidate.id));
  if (!customer?.phone) throw new Error('the seeded dataset has no customer with a phone, an order and a conversation');
  const order = dataset.orders.find((candidate) => candidate.customerId === customer.id && candidate.status === 'PLACED') ?? dataset.orders.find((candidate) => candidate.customerId === customer.id);
  const other = dataset.customers.find((candidate) => candidate.id !== customer.id);
  const stores = new Set(dataset.locations.filter((location) => location.kind === 'STORE').map((location) => location.id));
  const stock = dataset.stock.find((level) => stores.has(level.locationId) && level.onHand - level.reserved > 5);
  if (!order || !other || !stock) throw new Error('the seeded dataset lacks an order, a second customer or store stock');
  return {
    customerId: customer.id,
    otherCustomerId: other.id,
    displayName: customer.displayName,
    phone: customer.phone,
    orderId: order.id,
    orderNumber: order.number,
    conversationId: conversationOf(customer.id)?.id ?? '',
    storeId: stock.locationId,
    sku: stock.sku,
    unknownCustomerId: 'cus_999901',
  };
}

describe('the role matrix', () => {
  let estate: RunningEstate;
  let fixtures: AccessFixtures;

  beforeAll(async () => {
    let dataset: DemoDataset | undefined;
    estate = await startEstate({
      databasePrefix: 'rolematrix',
      seed: {
        customers: 12,
        orders: 60,
        products: 12,
        prepare: (seeded) => {
          dataset = seeded;
        },
      },
    });
    if (!dataset) throw new Error('seed did not hand over its dataset');
    fixtures = fixturesFrom(dataset);
  }, 180_000);

  afterAll(async () => {
    await estate?.stop();
  });

  const tokenOf = (caller: Caller, entry: AccessEntry): string | undefined => {
    const own = entry.owner?.(fixtures) ?? fixtures.customerId;
    switch (caller) {
      case 'anonymous':
        return undefined;
      case 'CUSTOMER own':
        return tokenFor('CUSTOMER', own);
      case 'CUSTOMER other':
        return tokenFor('CUSTOMER', fixtures.otherCustomerId);
      case 'ASSOCIATE':
        return tokenFor('ASSOCIATE', 'associate-rolematrix', fixtures.storeId);
      default:
        return tokenFor(caller, `${caller.toLowerCase()}-rolematrix`);
    }
  };

  /** What is wrong with `response` for `caller`; empty when it is right. */
  const problemsOf = (entry: AccessEntry, caller: Caller, path: 'gateway' | 'direct', response: GraphQLResponse<unknown>): string[] => {
    const codes = errorCodes(response).map(String);
    const seen = `HTTP ${response.status} ${JSON.stringify(codes)} ${JSON.stringify(response.data ?? null).slice(0, 160)}`;
    const problems: string[] = [];
    if (response.status >= 500 || codes.includes('INTERNAL_SERVER_ERROR')) problems.push(`an internal error: ${seen}`);
    if (entry.allowed.includes(caller)) {
      if (codes.some((code) => REFUSALS.has(code))) problems.push(`refused, but the table allows it: ${seen}`);
      return problems;
    }
    const expected = caller === 'anonymous' ? 'UNAUTHENTICATED' : 'FORBIDDEN';
    if (path === 'direct' && entry.alsoAllowedDirect?.includes(caller) && codes.length === 0) {
      if (JSON.stringify(response.data) !== JSON.stringify(entry.emptyAnswer)) problems.push(`let through with data: ${seen}`);
      return problems;
    }
    if (!codes.includes(expected)) problems.push(`expected ${expected}: ${seen}`);
    const body = JSON.stringify(response.data ?? null);
    if (body.includes(fixtures.phone) || body.includes(fixtures.displayName)) problems.push(`leaks the customer's data: ${seen}`);
    return problems;
  };

  const run = (url: string, operation: AccessOperation, slug: string, token: string | undefined) =>
    execute(url, operation.query, operation.variables?.(fixtures, slug) ?? {}, token);

  it.each(ACCESS_TABLE.map((entry, index) => [entry.coordinate, entry, index] as const))('%s: every caller, through the gateway and directly', async (_name, entry, index) => {
    const problems: string[] = [];
    for (const [callerIndex, caller] of CALLERS.entries()) {
      const token = tokenOf(caller, entry);
      if (entry.gateway) {
        const response = await run(estate.url, entry.gateway, `rm${index}-${callerIndex}-g`, token);
        problems.push(...problemsOf(entry, caller, 'gateway', response).map((problem) => `${caller} via gateway: ${problem}`));
      } else {
        // Internal operations are not in the API at all.
        const response = await run(estate.url, entry.direct ?? { query: '{ __typename }' }, `rm${index}-${callerIndex}-g`, token);
        if (!errorCodes(response).includes('GRAPHQL_VALIDATION_FAILED')) problems.push(`${caller} via gateway: an @inaccessible operation was accepted: ${JSON.stringify(response).slice(0, 200)}`);
      }
      const direct = entry.direct ?? entry.gateway;
      if (!direct) throw new Error(`${entry.coordinate} has neither a gateway nor a direct operation`);
      const response = await run(estate.subgraphs[entry.subgraph].url, direct, `rm${index}-${callerIndex}-d`, token);
      problems.push(...problemsOf(entry, caller, 'direct', response).map((problem) => `${caller} direct to ${entry.subgraph}: ${problem}`));
    }
    expect(problems).toEqual([]);
  });
});

describe('the access table', () => {
  const rules = Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, rulesOf(name)])) as Record<SubgraphName, Map<string, AuthorizationRule>>;

  it('says no more than the SDL directives allow, and says why where it says less', () => {
    const problems: string[] = [];
    for (const entry of ACCESS_TABLE) {
      const [type = '', field] = entry.coordinate.split('.');
      const subgraphRules = rules[entry.subgraph];
      const typeRule = subgraphRules.get(type);
      const fieldRule = field ? subgraphRules.get(entry.coordinate) : undefined;
      if (!typeRule && !fieldRule) {
        problems.push(`${entry.coordinate}: no @public or @allow in schema/${entry.subgraph}.graphql`);
        continue;
      }
      const permitted = new Set([...callersOf(typeRule)].filter((caller) => callersOf(fieldRule).has(caller)));
      const beyond = [...entry.allowed, ...(entry.alsoAllowedDirect ?? [])].filter((caller) => !permitted.has(caller));
      if (beyond.length > 0) problems.push(`${entry.coordinate}: the table allows ${beyond.join(', ')}, the directives do not`);
      const narrower = [...permitted].filter((caller) => !entry.allowed.includes(caller));
      if (narrower.length > 0 && !entry.note) problems.push(`${entry.coordinate}: the directives let ${narrower.join(', ')} through, the table does not, and no note says why`);
    }
    expect(problems).toEqual([]);
  });

  it('lists every guarded root field and every guarded entity of every subgraph', () => {
    const listed = new Set(ACCESS_TABLE.map((entry) => `${entry.subgraph}:${entry.coordinate}`));
    const listedTypes = new Set(ACCESS_TABLE.map((entry) => `${entry.subgraph}:${entry.coordinate.split('.')[0]}`));
    const missing: string[] = [];
    for (const name of SUBGRAPH_NAMES) {
      const schema = buildSubgraphSchema([{ typeDefs: loadSubgraphTypeDefs(name) }]);
      for (const [coordinate, rule] of rulesOf(name)) {
        if (rule.public) continue;
        const [type = ''] = coordinate.split('.');
        const graphqlType = schema.getType(type);
        const isRoot = type === 'Query' || type === 'Mutation';
        const isEntity = graphqlType !== undefined && isObjectType(graphqlType) && isResolvableEntity(graphqlType);
        if (isRoot && !listed.has(`${name}:${coordinate}`)) missing.push(`${name}:${coordinate}`);
        if (isEntity && !listedTypes.has(`${name}:${type}`)) missing.push(`${name}:${type}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('is the table in README.md', () => {
    const readme = readFileSync(`${repositoryRoot()}/README.md`, 'utf8');
    const block = /<!-- access-table:start -->\n([\s\S]*?)\n<!-- access-table:end -->/.exec(readme)?.[1];
    expect(block).toBe(renderAccessTable());
  });
});
