/**
 * Who may see what (DESIGN.md "Who may do what"), enforced by this subgraph itself — also on
 * `_entities`, which anyone who can reach the subgraph can call directly — and the query budget of
 * `_entities`: one database round trip per batch, whatever the number of representations.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generateDemoDataset } from '../../scripts/seed/demoDataset';
import type { Role } from '../../subgraphs/kit/src';
import { seedCustomers } from '../../subgraphs/customers/src/seed';
import { errorCodes, tokenFor } from '../support/testkit';
import { CUSTOMER_FIELDS, startCustomers, type CustomerView, type CustomersUnderTest } from './customersTestkit';

const ENTITIES = /* GraphQL */ `
  query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Customer { ${CUSTOMER_FIELDS} } } }
`;

let customers: CustomersUnderTest;
let alma: CustomerView;
let beto: CustomerView;

beforeAll(async () => {
  customers = await startCustomers('customers_authorization_test');
  alma = await customers.register({ displayName: 'Alma Delia Fuentes', email: 'alma@example.mx', phone: '55 4000 1000' });
  beto = await customers.register({ displayName: 'Beto Cuevas', email: 'beto@example.mx', phone: '81 4000 2000' });
});

afterAll(async () => {
  await customers?.stop();
});

type Caller = 'anonymous' | 'the customer' | 'another customer' | Exclude<Role, 'CUSTOMER'>;
const CALLERS: Caller[] = ['anonymous', 'the customer', 'another customer', 'ASSOCIATE', 'AGENT', 'ADMIN', 'SERVICE', 'ANALYST'];

function tokenOf(caller: Caller): string | null {
  switch (caller) {
    case 'anonymous':
      return null;
    case 'the customer':
      return tokenFor('CUSTOMER', alma.id);
    case 'another customer':
      return tokenFor('CUSTOMER', beto.id);
    case 'ASSOCIATE':
      return tokenFor('ASSOCIATE', 'associate-1', 'MX-CDMX-CENTRO');
    default:
      return tokenFor(caller);
  }
}

/** What each caller gets when reading Alma: her data, or the error code. */
const EXPECTED_READ: Record<Caller, 'data' | 'UNAUTHENTICATED' | 'FORBIDDEN'> = {
  anonymous: 'UNAUTHENTICATED',
  'the customer': 'data',
  'another customer': 'FORBIDDEN',
  ASSOCIATE: 'data',
  AGENT: 'data',
  ADMIN: 'data',
  SERVICE: 'data',
  ANALYST: 'FORBIDDEN',
};

/** The operations that read or change Alma, each returning her as `result`. */
const OPERATIONS: Record<string, () => [string, Record<string, unknown>]> = {
  'customer(id)': () => [`query ($id: ID!) { result: customer(id: $id) { ${CUSTOMER_FIELDS} } }`, { id: alma.id }],
  findCustomer: () => [`query { result: findCustomer(identity: { kind: EMAIL, value: "ALMA@example.mx" }) { ${CUSTOMER_FIELDS} } }`, {}],
  '_entities': () => [`query ($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { ${CUSTOMER_FIELDS} } } }`, { r: [{ __typename: 'Customer', id: alma.id }] }],
  updateCustomer: () => [`mutation ($id: ID!) { result: updateCustomer(id: $id, input: { displayName: "Alma Delia Fuentes" }) { ${CUSTOMER_FIELDS} } }`, { id: alma.id }],
  addToWishlist: () => [`mutation ($id: ID!) { result: addToWishlist(customerId: $id, sku: "SKU-AUTH", channel: WEB) { ${CUSTOMER_FIELDS} } }`, { id: alma.id }],
};

describe('authorization matrix', () => {
  const cases = Object.keys(OPERATIONS).flatMap((operation) => CALLERS.map((caller) => [operation, caller, EXPECTED_READ[caller]] as const));

  it.each(cases)('%s by %s → %s', async (operation, caller, expected) => {
    const [query, variables] = (OPERATIONS[operation] as () => [string, Record<string, unknown>])();
    const response = await customers.run<{ result?: CustomerView | null; _entities?: (CustomerView | null)[] }>(query, variables, tokenOf(caller));
    const result = response.data?.result ?? response.data?._entities?.[0] ?? null;
    if (expected === 'data') {
      expect(response.errors).toBeUndefined();
      expect(result).toMatchObject({ id: alma.id, email: 'alma@example.mx', phone: '+525540001000' });
    } else {
      expect(errorCodes(response)).toEqual([expected]);
      expect(result).toBeNull();
      const text = JSON.stringify(response);
      for (const secret of ['Alma', 'alma@example.mx', '5540001000']) expect(text).not.toContain(secret);
    }
  });

  it('me: the customer of a CUSTOMER token, null for other roles, UNAUTHENTICATED without a token', async () => {
    const me = async (token: string | null) => customers.run<{ me: { id: string } | null }>('{ me { id email } }', {}, token);
    expect((await me(tokenOf('the customer'))).data?.me).toEqual({ id: alma.id, email: 'alma@example.mx' });
    expect((await me(tokenOf('another customer'))).data?.me).toEqual({ id: beto.id, email: 'beto@example.mx' });
    for (const caller of ['AGENT', 'ANALYST', 'SERVICE'] as const) expect((await me(tokenOf(caller))).data?.me).toBeNull();
    expect(errorCodes(await me(null))).toEqual(['UNAUTHENTICATED']);
  });

  it('registration is open to anonymous callers, who read back only what they registered', async () => {
    const response = await customers.run<{ registerCustomer: { id: string; email: string } }>(
      'mutation { registerCustomer(input: { displayName: "Nuevo Cliente", email: "nuevo@example.mx", channel: WEB }) { id email } }',
      {},
      null,
    );
    expect(response.errors).toBeUndefined();
    expect(response.data?.registerCustomer.email).toBe('nuevo@example.mx');
    const analyst = await customers.run('mutation { registerCustomer(input: { displayName: "X", email: "x@example.mx", channel: WEB }) { id } }', {}, tokenFor('ANALYST'));
    expect(errorCodes(analyst)).toEqual(['FORBIDDEN']);
  });
});

describe('_entities called directly, bypassing the gateway', () => {
  it("gives a customer token nothing personal of another customer: null and FORBIDDEN for that entity, their own in full", async () => {
    const response = await customers.run<{ _entities: (CustomerView | null)[] }>(
      ENTITIES,
      { representations: [{ __typename: 'Customer', id: alma.id }, { __typename: 'Customer', id: beto.id }] },
      tokenFor('CUSTOMER', beto.id),
    );
    expect(response.data?._entities[0]).toBeNull();
    expect(response.data?._entities[1]).toMatchObject({ id: beto.id, displayName: 'Beto Cuevas' });
    expect(response.errors).toEqual([expect.objectContaining({ path: ['_entities', 0], extensions: { code: 'FORBIDDEN' } })]);
    for (const secret of ['Alma', 'alma@example.mx', '5540001000']) expect(JSON.stringify(response)).not.toContain(secret);
  });

  it('refuses even the bare id, and does not reveal whether an id exists', async () => {
    const token = tokenFor('CUSTOMER', beto.id);
    const real = await customers.run('query ($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { id } } }', { r: [{ __typename: 'Customer', id: alma.id }] }, token);
    const invented = await customers.run('query ($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { id } } }', { r: [{ __typename: 'Customer', id: 'cus_invented' }] }, token);
    expect(errorCodes(real)).toEqual(['FORBIDDEN']);
    expect(errorCodes(invented)).toEqual(['FORBIDDEN']);
    expect(real.data).toEqual(invented.data);
  });

  it('gives an ANALYST no personal data of anyone', async () => {
    const response = await customers.run<{ _entities: (CustomerView | null)[] }>(ENTITIES, { representations: [{ __typename: 'Customer', id: alma.id }, { __typename: 'Customer', id: beto.id }] }, tokenFor('ANALYST'));
    expect(response.data?._entities).toEqual([null, null]);
    expect(errorCodes(response)).toEqual(['FORBIDDEN', 'FORBIDDEN']);
  });
});

describe('query budget of _entities', () => {
  it('costs the same database round trips for 5 representations as for 50', async () => {
    const dataset = generateDemoDataset({ customers: 50, orders: 1, products: 5, seed: 7 });
    for (const customer of dataset.customers) customer.id = customer.id.replace('cus_', 'cus_budget');
    await seedCustomers(customers.subgraph.store, dataset);
    const ids = dataset.customers.map((customer) => customer.id);
    const store = customers.subgraph.store;
    const measure = async (count: number) => {
      const before = store.commandCount;
      const response = await customers.run<{ _entities: CustomerView[] }>(ENTITIES, { representations: ids.slice(0, count).map((id) => ({ __typename: 'Customer', id })) });
      expect(response.errors).toBeUndefined();
      expect(response.data?._entities.map((customer) => customer.id)).toEqual(ids.slice(0, count));
      return store.commandCount - before;
    };
    const five = await measure(5);
    const fifty = await measure(50);
    expect(fifty).toBe(five);
    expect(five).toBe(1);
  });
});
