/**
 * searchCustomers: name prefix on any word, e-mail, phone; case- and accent-insensitive; stable cursor
 * pagination; bounded cost. Plus the demo seed, which writes the same documents the API does.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generateDemoDataset } from '../../scripts/seed/demoDataset';
import { MongoStore } from '../../subgraphs/kit/src';
import { seedCustomers } from '../../subgraphs/customers/src/seed';
import { buildCustomersServer } from '../../subgraphs/customers/src/server';
import { errorCodes, execute, startSubgraph, tokenFor } from '../support/testkit';
import { startCustomers, type CustomerView, type CustomersUnderTest } from './customersTestkit';

const SEARCH = /* GraphQL */ `
  query Search($query: String!, $first: Int, $after: String) {
    searchCustomers(query: $query, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { id displayName } }
  }
`;

interface SearchResult {
  searchCustomers: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: { id: string; displayName: string }[] };
}

let customers: CustomersUnderTest;

beforeAll(async () => {
  customers = await startCustomers('customers_search_test');
});

afterAll(async () => {
  await customers?.stop();
});

describe('searchCustomers', () => {
  const byName = new Map<string, CustomerView>();

  const names = async (query: string) => {
    const response = await customers.run<SearchResult>(SEARCH, { query, first: 100 });
    expect(response.errors).toBeUndefined();
    return (response.data?.searchCustomers.nodes ?? []).map((node) => node.displayName).sort();
  };

  beforeAll(async () => {
    const people: { displayName: string; email?: string; phone?: string }[] = [
      { displayName: 'María José Hernández', email: 'MJ.Hernandez@Correo.mx', phone: '55 1234 5678' },
      { displayName: 'Mario Pérez', phone: '55 1234 9999' },
      { displayName: 'Mariana Núñez', email: 'mariana@example.mx' },
      { displayName: 'José María López', phone: '33 8765 4321' },
      { displayName: 'Ángel Ortiz', email: 'angel@example.mx' },
      { displayName: 'Maximiliano Ruiz', phone: '81 2468 1357' },
    ];
    for (const person of people) byName.set(person.displayName, await customers.register(person));
    for (let i = 1; i <= 25; i += 1) await customers.register({ displayName: `Lucía Prueba ${i}`, email: `lucia${i}@example.mx` });
  });

  it('finds "maria" in María, any name word, whatever the case or accents', async () => {
    const expected = ['José María López', 'María José Hernández', 'Mariana Núñez'].sort();
    expect(await names('maria')).toEqual(expected);
    expect(await names('MARÍA')).toEqual(expected);
    expect(await names('  María ')).toEqual(expected);
    expect(await names('mari')).toEqual([...expected, 'Mario Pérez'].sort());
  });

  it('needs every word of a query to start some word of the name', async () => {
    expect(await names('maria lop')).toEqual(['José María López']);
    expect(await names('jose hern')).toEqual(['María José Hernández']);
    expect(await names('nunez')).toEqual(['Mariana Núñez']);
    expect(await names('ÁNGEL')).toEqual(['Ángel Ortiz']);
    expect(await names('ortiz angel')).toEqual(['Ángel Ortiz']);
    expect(await names('zapata')).toEqual([]);
  });

  it('finds by e-mail prefix and by any typing of the phone', async () => {
    expect(await names('mj.hern')).toEqual(['María José Hernández']);
    expect(await names('MJ.HERNANDEZ@correo.mx')).toEqual(['María José Hernández']);
    expect(await names('55 1234')).toEqual(['Mario Pérez', 'María José Hernández'].sort());
    expect(await names('(55) 1234-5678')).toEqual(['María José Hernández']);
    expect(await names('+52 1 55 1234 5678')).toEqual(['María José Hernández']);
    expect(await names('+52 81 2468')).toEqual(['Maximiliano Ruiz']);
  });

  it('pages with cursors in a stable order, without gaps or repeats', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    const pageSizes: number[] = [];
    for (let page = 0; page < 5; page += 1) {
      const response: Awaited<ReturnType<typeof customers.run<SearchResult>>> = await customers.run<SearchResult>(SEARCH, { query: 'lucia', first: 10, after });
      const connection = response.data?.searchCustomers;
      expect(connection?.totalCount).toBe(25);
      pageSizes.push(connection?.nodes.length ?? 0);
      seen.push(...(connection?.nodes.map((node) => node.id) ?? []));
      if (!connection?.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(pageSizes).toEqual([10, 10, 5]);
    expect(new Set(seen).size).toBe(25);
    expect(seen).toEqual([...seen].sort());
    // The same first page twice: same order.
    const again = await customers.run<SearchResult>(SEARCH, { query: 'lucia', first: 10 });
    expect(again.data?.searchCustomers.nodes.map((node) => node.id)).toEqual(seen.slice(0, 10));
  });

  it('answers an empty page with a null endCursor', async () => {
    const response = await customers.run<SearchResult>(SEARCH, { query: 'zapata' });
    expect(response.data?.searchCustomers).toEqual({ totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null }, nodes: [] });
  });

  it.each([
    ['first', { query: 'maria', first: 0 }],
    ['first', { query: 'maria', first: 101 }],
    ['after', { query: 'maria', after: 'not-a-cursor' }],
    ['query', { query: '' }],
    ['query', { query: 'x'.repeat(101) }],
    ['query', { query: '¿?¡!' }],
  ])('refuses a bad %s (case %#) with BAD_USER_INPUT', async (field, variables) => {
    const response = await customers.run(SEARCH, variables);
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });

  it('is for staff only', async () => {
    expect(errorCodes(await customers.run(SEARCH, { query: 'maria' }, tokenFor('ASSOCIATE', 'associate-1', 'MX-CDMX-CENTRO')))).toEqual([]);
    expect(errorCodes(await customers.run(SEARCH, { query: 'maria' }, tokenFor('CUSTOMER', byName.get('Mario Pérez')?.id)))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await customers.run(SEARCH, { query: 'maria' }, tokenFor('ANALYST')))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await customers.run(SEARCH, { query: 'maria' }, null))).toEqual(['UNAUTHENTICATED']);
  });

  it('costs the same round trips for a page of 3 as for a page of 25', async () => {
    const store = customers.subgraph.store;
    const measure = async (first: number) => {
      const before = store.commandCount;
      const response = await customers.run<SearchResult>(SEARCH, { query: 'lucia', first });
      expect(response.data?.searchCustomers.nodes).toHaveLength(first);
      return store.commandCount - before;
    };
    expect(await measure(25)).toBe(await measure(3));
  });
});

describe('seedCustomers', () => {
  it('writes the demo customers and their identity claims, findable and searchable', async () => {
    const seeded = await startSubgraph('customers', buildCustomersServer, customers.database, { databaseName: 'customers_seed_test' });
    try {
      const dataset = generateDemoDataset({ customers: 200, orders: 20, products: 20 });
      const store = await MongoStore.connect({ uri: customers.database.uri, databaseName: 'customers_seed_test' });
      try {
        await seedCustomers(store, dataset);
      } finally {
        await store.close();
      }
      const db = seeded.store;
      expect(await db.collection('customers').countDocuments()).toBe(200);
      const claimed = dataset.customers.flatMap((customer) => customer.identities).length;
      expect(await db.collection('identities').countDocuments()).toBeLessThanOrEqual(claimed);
      expect(await db.collection('identities').countDocuments()).toBeGreaterThan(claimed - 5);

      const demo = dataset.customers[17];
      if (!demo?.phone) throw new Error('demo customer without phone');
      const local = demo.phone.slice(3);
      const found = await execute<{ findCustomer: { id: string; displayName: string; identities: { kind: string }[]; addresses: { postalCode: string }[] } }>(
        seeded.url,
        `query ($phone: String!) { findCustomer(identity: { kind: PHONE, value: $phone }) { id displayName identities { kind } addresses { postalCode } } }`,
        { phone: `(${local.slice(0, 2)}) ${local.slice(2, 6)}-${local.slice(6)}` },
        tokenFor('AGENT'),
      );
      expect(found.data?.findCustomer).toMatchObject({ id: demo.id, displayName: demo.displayName });
      expect(found.data?.findCustomer.identities.map((identity) => identity.kind)).toEqual(demo.identities.map((identity) => identity.kind));

      const firstWord = demo.displayName.split(' ')[0] as string;
      const folded = firstWord.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toUpperCase();
      const search = await execute<SearchResult>(seeded.url, SEARCH, { query: folded, first: 100 }, tokenFor('AGENT'));
      expect(search.data?.searchCustomers.nodes.map((node) => node.id)).toContain(demo.id);
      expect(search.data?.searchCustomers.totalCount).toBe(dataset.customers.filter((customer) => customer.displayName.split(' ').some((word) => word.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toUpperCase().startsWith(folded))).length);
    } finally {
      await seeded.stop();
    }
  });
});
