/**
 * What the customers tests share: one database and one in-process customers subgraph per test file,
 * the fields they read, and a one-line registration.
 */
import type { LocalDatabase } from '../../subgraphs/kit/src';
import { buildCustomersServer } from '../../subgraphs/customers/src/server';
import { execute, startSubgraph, startTestDatabase, tokenFor, type GraphQLResponse, type RunningSubgraph } from '../support/testkit';

/** Every Customer field, for assertions. */
export const CUSTOMER_FIELDS = /* GraphQL */ `
  id displayName email phone createdVia createdAt updatedAt erasedAt
  identities { kind value linkedVia linkedAt }
  addresses { id label street number interior neighborhood municipality state postalCode country isDefault }
  wishlist { product { sku } addedAt addedVia }
`;

/** A Customer as the tests read it. */
export interface CustomerView {
  id: string;
  displayName: string;
  email: string | null;
  phone: string | null;
  createdVia: string;
  createdAt: string;
  updatedAt: string;
  erasedAt: string | null;
  identities: { kind: string; value: string; linkedVia: string | null; linkedAt: string }[];
  addresses: { id: string; label: string | null; street: string; number: string; interior: string | null; neighborhood: string; municipality: string; state: string; postalCode: string; country: string; isDefault: boolean }[];
  wishlist: { product: { sku: string }; addedAt: string; addedVia: string }[];
}

/** A running customers subgraph with its own database. */
export interface CustomersUnderTest {
  database: LocalDatabase;
  subgraph: RunningSubgraph;
  url: string;
  /** Sends an operation with an AGENT token unless another is given (`null` for none). */
  run<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<GraphQLResponse<T>>;
  /** Registers a customer through the API and returns it (fails the test on errors). */
  register(input: { displayName: string; email?: string; phone?: string; channel?: string }): Promise<CustomerView>;
  stop(): Promise<void>;
}

const REGISTER = /* GraphQL */ `
  mutation Register($input: RegisterCustomerInput!) { registerCustomer(input: $input) { ${CUSTOMER_FIELDS} } }
`;

/** Starts the database and the subgraph; `databaseName` must be unique per test file. */
export async function startCustomers(databaseName: string): Promise<CustomersUnderTest> {
  const database = await startTestDatabase();
  const subgraph = await startSubgraph('customers', buildCustomersServer, database, { databaseName });
  const agent = tokenFor('AGENT', 'agent-1');
  const run: CustomersUnderTest['run'] = (query, variables = {}, token = agent) => execute(subgraph.url, query, variables, token ?? undefined);
  return {
    database,
    subgraph,
    url: subgraph.url,
    run,
    async register(input) {
      const response = await run<{ registerCustomer: CustomerView }>(REGISTER, { input: { channel: 'WEB', ...input } });
      if (response.errors || !response.data) throw new Error(`registerCustomer failed: ${JSON.stringify(response.errors)}`);
      return response.data.registerCustomer;
    },
    async stop() {
      await subgraph.stop();
      await database.stop();
    },
  };
}
