/**
 * Addresses (Mexican fields, código postal of 5 digits, one default) and the wishlist (channel
 * recorded, newest first, no duplicates, Product references for inventory).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { errorCodes, tokenFor } from '../support/testkit';
import { CUSTOMER_FIELDS, startCustomers, type CustomerView, type CustomersUnderTest } from './customersTestkit';

const ADD_ADDRESS = /* GraphQL */ `
  mutation Add($id: ID!, $address: AddressInput!) { addAddress(customerId: $id, address: $address) { ${CUSTOMER_FIELDS} } }
`;
const REMOVE_ADDRESS = /* GraphQL */ `
  mutation Remove($id: ID!, $addressId: ID!) { removeAddress(customerId: $id, addressId: $addressId) { ${CUSTOMER_FIELDS} } }
`;
const ADD_TO_WISHLIST = /* GraphQL */ `
  mutation Save($id: ID!, $sku: ID!, $channel: Channel!) { addToWishlist(customerId: $id, sku: $sku, channel: $channel) { ${CUSTOMER_FIELDS} } }
`;
const REMOVE_FROM_WISHLIST = /* GraphQL */ `
  mutation Unsave($id: ID!, $sku: ID!) { removeFromWishlist(customerId: $id, sku: $sku) { ${CUSTOMER_FIELDS} } }
`;

const CASA = { label: 'Casa', street: 'Av. Álvaro Obregón', number: '120', interior: 'Depto 4', neighborhood: 'Roma Norte', municipality: 'Cuauhtémoc', state: 'cdmx', postalCode: '06700' };
const OFICINA = { label: 'Oficina', street: 'Av. Chapultepec Sur', number: '480', neighborhood: 'Americana', municipality: 'Guadalajara', state: 'JALISCO', postalCode: '44160', isDefault: true };

describe('addresses', () => {
  let customers: CustomersUnderTest;
  let ana: CustomerView;

  beforeAll(async () => {
    customers = await startCustomers('customers_profile_test');
    ana = await customers.register({ displayName: 'Ana Sofía Núñez', phone: '55 2222 3333', channel: 'APP' });
  });

  afterAll(async () => {
    await customers?.stop();
  });

  it('adds a Mexican address, canonicalises the estado, and makes the first one the default', async () => {
    const response = await customers.run<{ addAddress: CustomerView }>(ADD_ADDRESS, { id: ana.id, address: CASA }, tokenFor('CUSTOMER', ana.id));
    expect(response.errors).toBeUndefined();
    expect(response.data?.addAddress.addresses).toEqual([
      { id: expect.stringMatching(/^adr_/), label: 'Casa', street: 'Av. Álvaro Obregón', number: '120', interior: 'Depto 4', neighborhood: 'Roma Norte', municipality: 'Cuauhtémoc', state: 'Ciudad de México', postalCode: '06700', country: 'MX', isDefault: true },
    ]);
  });

  it('moves the default to a new default address, and back to the next one when the default is removed', async () => {
    const added = await customers.run<{ addAddress: CustomerView }>(ADD_ADDRESS, { id: ana.id, address: OFICINA });
    const addresses = added.data?.addAddress.addresses ?? [];
    expect(addresses.map((address) => [address.label, address.state, address.isDefault])).toEqual([
      ['Casa', 'Ciudad de México', false],
      ['Oficina', 'Jalisco', true],
    ]);
    const oficina = addresses[1]?.id as string;
    const removed = await customers.run<{ removeAddress: CustomerView }>(REMOVE_ADDRESS, { id: ana.id, addressId: oficina });
    expect(removed.data?.removeAddress.addresses.map((address) => [address.label, address.isDefault])).toEqual([['Casa', true]]);
    expect(errorCodes(await customers.run(REMOVE_ADDRESS, { id: ana.id, addressId: oficina }))).toEqual(['NOT_FOUND']);
  });

  it.each([
    ['postalCode', { postalCode: '1234' }],
    ['postalCode', { postalCode: '0670A' }],
    ['postalCode', { postalCode: '123456' }],
    ['postalCode', { postalCode: '00123' }],
    ['state', { state: 'Texas' }],
    ['street', { street: '   ' }],
    ['neighborhood', { neighborhood: 'x'.repeat(121) }],
  ])('refuses a bad %s (%j) with BAD_USER_INPUT naming it', async (field, change) => {
    const response = await customers.run(ADD_ADDRESS, { id: ana.id, address: { ...CASA, ...change } });
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: `address.${field}` });
  });

  it('keeps at most 10 addresses', async () => {
    const other = await customers.register({ displayName: 'Muchas Casas', phone: '55 2222 4444' });
    for (let i = 0; i < 10; i += 1) {
      const response = await customers.run(ADD_ADDRESS, { id: other.id, address: { ...CASA, number: String(i + 1) } });
      expect(response.errors).toBeUndefined();
    }
    const eleventh = await customers.run(ADD_ADDRESS, { id: other.id, address: CASA });
    expect(eleventh.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'address' });
  });

  it("refuses another customer's addresses", async () => {
    const response = await customers.run(ADD_ADDRESS, { id: ana.id, address: CASA }, tokenFor('CUSTOMER', 'cus_someoneelse'));
    expect(errorCodes(response)).toEqual(['FORBIDDEN']);
    expect(errorCodes(await customers.run(ADD_ADDRESS, { id: ana.id, address: CASA }, tokenFor('ANALYST')))).toEqual(['FORBIDDEN']);
  });

  describe('wishlist', () => {
    it('saves products with the channel, newest first, each once', async () => {
      const first = await customers.run<{ addToWishlist: CustomerView }>(ADD_TO_WISHLIST, { id: ana.id, sku: 'REB-ALG-001', channel: 'APP' }, tokenFor('CUSTOMER', ana.id));
      expect(first.errors).toBeUndefined();
      await new Promise((resolve) => setTimeout(resolve, 5));
      const second = await customers.run<{ addToWishlist: CustomerView }>(ADD_TO_WISHLIST, { id: ana.id, sku: 'TAL-PUE-007', channel: 'STORE' }, tokenFor('ASSOCIATE', 'associate-1', 'MX-CDMX-CENTRO'));
      const again = await customers.run<{ addToWishlist: CustomerView }>(ADD_TO_WISHLIST, { id: ana.id, sku: 'REB-ALG-001', channel: 'WEB' });
      expect(second.data?.addToWishlist.wishlist.map((item) => [item.product.sku, item.addedVia])).toEqual([
        ['TAL-PUE-007', 'STORE'],
        ['REB-ALG-001', 'APP'],
      ]);
      expect(again.data?.addToWishlist.wishlist).toEqual(second.data?.addToWishlist.wishlist);
    });

    it('saves each sku once under concurrent requests', async () => {
      const responses = await Promise.all(Array.from({ length: 8 }, () => customers.run(ADD_TO_WISHLIST, { id: ana.id, sku: 'MOL-BAR-003', channel: 'WEB' })));
      for (const response of responses) expect(response.errors).toBeUndefined();
      const stored = await customers.subgraph.store.collection<{ _id: string; wishlist: { sku: string }[] }>('customers').findOne({ _id: ana.id });
      expect(stored?.wishlist.filter((item) => item.sku === 'MOL-BAR-003')).toHaveLength(1);
    });

    it('removes a product, and removing it again changes nothing', async () => {
      const removed = await customers.run<{ removeFromWishlist: CustomerView }>(REMOVE_FROM_WISHLIST, { id: ana.id, sku: 'REB-ALG-001' });
      expect(removed.data?.removeFromWishlist.wishlist.map((item) => item.product.sku)).toEqual(['MOL-BAR-003', 'TAL-PUE-007']);
      const again = await customers.run<{ removeFromWishlist: CustomerView }>(REMOVE_FROM_WISHLIST, { id: ana.id, sku: 'REB-ALG-001' });
      expect(again.errors).toBeUndefined();
      expect(again.data?.removeFromWishlist.wishlist).toHaveLength(2);
    });

    it('validates the sku and refuses other customers', async () => {
      const bad = await customers.run(ADD_TO_WISHLIST, { id: ana.id, sku: 'no { válido }', channel: 'WEB' });
      expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'sku' });
      const other = await customers.run(ADD_TO_WISHLIST, { id: ana.id, sku: 'REB-ALG-001', channel: 'WEB' }, tokenFor('CUSTOMER', 'cus_someoneelse'));
      expect(errorCodes(other)).toEqual(['FORBIDDEN']);
      const anonymous = await customers.run(REMOVE_FROM_WISHLIST, { id: ana.id, sku: 'REB-ALG-001' }, null);
      expect(errorCodes(anonymous)).toEqual(['UNAUTHENTICATED']);
    });

    it('hands Product references to the gateway in the supergraph shape', async () => {
      const response = await customers.run<{ _entities: { wishlist: { product: { __typename: string; sku: string } }[] }[] }>(
        /* GraphQL */ `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Customer { wishlist { product { __typename sku } } } } }`,
        { representations: [{ __typename: 'Customer', id: ana.id }] },
      );
      expect(response.data?._entities[0]?.wishlist.map((item) => item.product)).toEqual([
        { __typename: 'Product', sku: 'MOL-BAR-003' },
        { __typename: 'Product', sku: 'TAL-PUE-007' },
      ]);
    });
  });
});
