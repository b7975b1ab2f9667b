/**
 * mergeCustomers and eraseCustomer: what moves, what redirects, what the database holds afterwards
 * (read directly), and the events published into `pendingEvents` for the relay.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DomainEvent } from '../../subgraphs/kit/src';
import { errorCodes, tokenFor } from '../support/testkit';
import { CUSTOMER_FIELDS, startCustomers, type CustomerView, type CustomersUnderTest } from './customersTestkit';

const MERGE = /* GraphQL */ `
  mutation Merge($survivorId: ID!, $duplicateId: ID!) { mergeCustomers(survivorId: $survivorId, duplicateId: $duplicateId) { ${CUSTOMER_FIELDS} } }
`;
const CUSTOMER = /* GraphQL */ `query Customer($id: ID!) { customer(id: $id) { ${CUSTOMER_FIELDS} } }`;
const FIND = /* GraphQL */ `query Find($kind: IdentityKind!, $value: String!) { findCustomer(identity: { kind: $kind, value: $value }) { id } }`;
const ENTITIES = /* GraphQL */ `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Customer { id displayName } } }`;
const ERASE = /* GraphQL */ `mutation Erase($id: ID!) { eraseCustomer(id: $id) }`;
const SEARCH = /* GraphQL */ `query ($query: String!) { searchCustomers(query: $query) { totalCount nodes { id } } }`;

interface StoredCustomer {
  _id: string;
  mergedInto?: string;
  erasedAt?: Date;
  pendingEvents?: DomainEvent[];
  [field: string]: unknown;
}

let customers: CustomersUnderTest;
const admin = tokenFor('ADMIN', 'admin-1');

const stored = (id: string) => customers.subgraph.store.collection<StoredCustomer>('customers').findOne({ _id: id });
const claimsOf = (id: string) => customers.subgraph.store.collection<{ _id: string; customerId: string }>('identities').find({ customerId: id }).toArray();

async function addExtras(id: string, sku: string[], street: string): Promise<void> {
  for (const item of sku) await customers.run(`mutation { addToWishlist(customerId: "${id}", sku: "${item}", channel: APP) { id } }`);
  const address = await customers.run(
    `mutation { addAddress(customerId: "${id}", address: { street: "${street}", number: "10", neighborhood: "Centro", municipality: "Oaxaca de Juárez", state: "Oaxaca", postalCode: "68000" }) { id } }`,
  );
  expect(address.errors).toBeUndefined();
}

beforeAll(async () => {
  customers = await startCustomers('customers_merge_erase_test');
});

afterAll(async () => {
  await customers?.stop();
});

describe('mergeCustomers', () => {
  let survivor: CustomerView;
  let duplicate: CustomerView;

  beforeAll(async () => {
    survivor = await customers.register({ displayName: 'Guadalupe Reyes', email: 'lupe@example.mx', phone: '951 100 2000', channel: 'STORE' });
    duplicate = await customers.register({ displayName: 'Lupita Reyes', email: 'lupita.reyes@example.mx', phone: '951 300 4000', channel: 'WHATSAPP' });
    await customers.run(`mutation { linkIdentity(customerId: "${duplicate.id}", identity: { kind: LOYALTY_CARD, value: "ZC0000999001" }) { id } }`);
    await addExtras(survivor.id, ['SKU-A'], 'Macedonio Alcalá');
    await addExtras(duplicate.id, ['SKU-A', 'SKU-B'], 'García Vigil');
  });

  it('is for AGENT and ADMIN only', async () => {
    const variables = { survivorId: survivor.id, duplicateId: duplicate.id };
    expect(errorCodes(await customers.run(MERGE, variables, tokenFor('ASSOCIATE', 'associate-1', 'MX-OAX-CENTRO')))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await customers.run(MERGE, variables, tokenFor('CUSTOMER', survivor.id)))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await customers.run(MERGE, variables, null))).toEqual(['UNAUTHENTICATED']);
    expect((await stored(duplicate.id))?.mergedInto).toBeUndefined();
  });

  it('moves identities, addresses and wishlist to the survivor', async () => {
    const response = await customers.run<{ mergeCustomers: CustomerView }>(MERGE, { survivorId: survivor.id, duplicateId: duplicate.id });
    expect(response.errors).toBeUndefined();
    const merged = response.data?.mergeCustomers as CustomerView;
    expect(merged.id).toBe(survivor.id);
    expect(merged.displayName).toBe('Guadalupe Reyes');
    expect(merged.identities.map((identity) => `${identity.kind}:${identity.value}`)).toEqual([
      'EMAIL:lupe@example.mx',
      'PHONE:+529511002000',
      'EMAIL:lupita.reyes@example.mx',
      'PHONE:+529513004000',
      'WHATSAPP:+529513004000',
      'LOYALTY_CARD:ZC0000999001',
    ]);
    expect(merged.addresses.map((address) => [address.street, address.isDefault])).toEqual([
      ['Macedonio Alcalá', true],
      ['García Vigil', false],
    ]);
    expect(merged.wishlist.map((item) => item.product.sku).sort()).toEqual(['SKU-A', 'SKU-B']);
  });

  it("redirects the duplicate's id, identities and entities to the survivor", async () => {
    const byId = await customers.run<{ customer: CustomerView }>(CUSTOMER, { id: duplicate.id });
    expect(byId.data?.customer.id).toBe(survivor.id);
    for (const [kind, value] of [['PHONE', '951 300 4000'], ['WHATSAPP', '+521 951 300 4000'], ['EMAIL', 'lupita.reyes@example.mx'], ['LOYALTY_CARD', 'ZC0000999001']]) {
      const found = await customers.run<{ findCustomer: { id: string } }>(FIND, { kind, value });
      expect({ kind, id: found.data?.findCustomer.id }).toEqual({ kind, id: survivor.id });
    }
    const entities = await customers.run<{ _entities: { id: string }[] }>(ENTITIES, { representations: [{ __typename: 'Customer', id: duplicate.id }] });
    expect(entities.data?._entities).toEqual([{ id: survivor.id, displayName: 'Guadalupe Reyes' }]);
    // The duplicate's old CUSTOMER token still reaches the person it belongs to.
    const me = await customers.run<{ me: { id: string } }>('{ me { id } }', {}, tokenFor('CUSTOMER', duplicate.id));
    expect(me.data?.me.id).toBe(survivor.id);
    const search = await customers.run<{ searchCustomers: { nodes: { id: string }[] } }>(SEARCH, { query: 'lupita' });
    expect(search.data?.searchCustomers.nodes.map((node) => node.id)).toEqual([survivor.id]);
  });

  it('publishes CustomerMerged on the survivor, leaves a tombstone without personal data, and moves the identity claims', async () => {
    const tombstone = await stored(duplicate.id);
    expect(tombstone?.mergedInto).toBe(survivor.id);
    for (const field of ['displayName', 'email', 'phone', 'identities', 'addresses', 'wishlist', 'searchTerms', 'pendingEvents']) expect(tombstone).not.toHaveProperty(field);
    expect((await stored(survivor.id))?.pendingEvents).toEqual([
      expect.objectContaining({ type: 'CustomerMerged', source: 'customers', subject: survivor.id, payload: { survivorId: survivor.id, duplicateId: duplicate.id }, id: expect.stringMatching(/^evt_/) }),
    ]);
    expect(await claimsOf(duplicate.id)).toEqual([]);
    expect((await claimsOf(survivor.id)).map((claim) => claim._id).sort()).toEqual(
      ['EMAIL:lupe@example.mx', 'PHONE:+529511002000', 'EMAIL:lupita.reyes@example.mx', 'PHONE:+529513004000', 'WHATSAPP:+529513004000', 'LOYALTY_CARD:ZC0000999001'].sort(),
    );
    expect((await stored(survivor.id))?.mergedFrom).toEqual([duplicate.id]);
  });

  it('is idempotent: merging again returns the survivor and publishes nothing new', async () => {
    const again = await customers.run<{ mergeCustomers: CustomerView }>(MERGE, { survivorId: survivor.id, duplicateId: duplicate.id }, admin);
    expect(again.errors).toBeUndefined();
    expect(again.data?.mergeCustomers.id).toBe(survivor.id);
    expect((await stored(survivor.id))?.pendingEvents).toHaveLength(1);
  });

  it('refuses merges that make no sense', async () => {
    const third = await customers.register({ displayName: 'Tercera Persona', phone: '951 500 6000' });
    expect((await customers.run(MERGE, { survivorId: third.id, duplicateId: third.id })).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'duplicateId' });
    expect(errorCodes(await customers.run(MERGE, { survivorId: third.id, duplicateId: duplicate.id }))).toEqual(['CONFLICT']);
    expect(errorCodes(await customers.run(MERGE, { survivorId: duplicate.id, duplicateId: third.id }))).toEqual(['CONFLICT']);
    expect(errorCodes(await customers.run(MERGE, { survivorId: third.id, duplicateId: 'cus_nobody' }))).toEqual(['NOT_FOUND']);
    expect(errorCodes(await customers.run(MERGE, { survivorId: third.id, duplicateId: 'not an id' }))).toEqual(['BAD_USER_INPUT']);
  });

  it('keeps redirects one hop when the survivor is merged in turn', async () => {
    const final = await customers.register({ displayName: 'Guadalupe Reyes Final', email: 'lupe.final@example.mx' });
    const response = await customers.run<{ mergeCustomers: CustomerView }>(MERGE, { survivorId: final.id, duplicateId: survivor.id });
    expect(response.data?.mergeCustomers.identities).toHaveLength(7);
    expect((await stored(duplicate.id))?.mergedInto).toBe(final.id);
    const byOldest = await customers.run<{ customer: CustomerView }>(CUSTOMER, { id: duplicate.id });
    expect(byOldest.data?.customer.id).toBe(final.id);
    expect((await stored(final.id))?.mergedFrom).toEqual(expect.arrayContaining([survivor.id, duplicate.id]));
    // The first merge's event is still pending on the (now merged) survivor's document, for the relay.
    expect((await stored(survivor.id))?.pendingEvents?.map((event) => event.type)).toEqual(['CustomerMerged']);
    expect((await stored(final.id))?.pendingEvents?.map((event) => event.payload)).toEqual([{ survivorId: final.id, duplicateId: survivor.id }]);
  });
});

describe('eraseCustomer', () => {
  let erased: CustomerView;

  beforeAll(async () => {
    erased = await customers.register({ displayName: 'Rosario Castellanos', email: 'Rosario.C@Example.mx', phone: '961 123 4567', channel: 'WHATSAPP' });
    await customers.run(`mutation { linkIdentity(customerId: "${erased.id}", identity: { kind: LOYALTY_CARD, value: "ZC0000555001" }) { id } }`);
    await addExtras(erased.id, ['SKU-R'], 'Calle de la Poesía');
  });

  it('is for the customer themself or an ADMIN', async () => {
    expect(errorCodes(await customers.run(ERASE, { id: erased.id }))).toEqual(['FORBIDDEN']); // AGENT
    expect(errorCodes(await customers.run(ERASE, { id: erased.id }, tokenFor('CUSTOMER', 'cus_someoneelse')))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await customers.run(ERASE, { id: erased.id }, null))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await customers.run(ERASE, { id: 'cus_nobody' }, admin))).toEqual(['NOT_FOUND']);
    expect((await stored(erased.id))?.erasedAt).toBeUndefined();
  });

  it('removes every piece of personal data from the database and publishes CustomerErased', async () => {
    const response = await customers.run<{ eraseCustomer: boolean }>(ERASE, { id: erased.id }, tokenFor('CUSTOMER', erased.id));
    expect(response.errors).toBeUndefined();
    expect(response.data?.eraseCustomer).toBe(true);

    const document = await stored(erased.id);
    const text = JSON.stringify(document);
    for (const secret of ['Rosario', 'Castellanos', 'rosario.c@example.mx', '9611234567', 'ZC0000555001', 'Poesía', 'SKU-R']) expect(text).not.toContain(secret);
    expect(document?.erasedAt).toBeInstanceOf(Date);
    expect(document?.pendingEvents).toEqual([expect.objectContaining({ type: 'CustomerErased', subject: erased.id, payload: { customerId: erased.id } })]);

    const identities = await customers.subgraph.store.collection('identities').find({}).toArray();
    expect(await claimsOf(erased.id)).toEqual([]);
    for (const secret of ['rosario', '9611234567', 'ZC0000555001']) expect(JSON.stringify(identities)).not.toContain(secret);
  });

  it('answers afterwards with an empty record and finds the person by nothing', async () => {
    const byId = await customers.run<{ customer: CustomerView }>(CUSTOMER, { id: erased.id }, admin);
    expect(byId.data?.customer).toMatchObject({ id: erased.id, displayName: '(erased)', email: null, phone: null, identities: [], addresses: [], wishlist: [], erasedAt: expect.any(String) });
    expect((await customers.run<{ findCustomer: null }>(FIND, { kind: 'PHONE', value: '961 123 4567' })).data?.findCustomer).toBeNull();
    expect((await customers.run<{ searchCustomers: { totalCount: number } }>(SEARCH, { query: 'rosario' })).data?.searchCustomers.totalCount).toBe(0);
  });

  it('is idempotent and frees the identities for someone new', async () => {
    const again = await customers.run<{ eraseCustomer: boolean }>(ERASE, { id: erased.id }, admin);
    expect(again.data?.eraseCustomer).toBe(true);
    expect((await stored(erased.id))?.pendingEvents).toHaveLength(1);
    const newcomer = await customers.register({ displayName: 'Nueva Dueña', phone: '961 123 4567' });
    expect(newcomer.phone).toBe('+529611234567');
    expect(errorCodes(await customers.run(`mutation { linkIdentity(customerId: "${erased.id}", identity: { kind: EMAIL, value: "x@example.mx" }) { id } }`))).toEqual(['NOT_FOUND']);
  });

  it('erasing a survivor leaves nothing personal behind its merged duplicates either', async () => {
    const survivor = await customers.register({ displayName: 'Elena Garro', email: 'elena@example.mx' });
    const duplicate = await customers.register({ displayName: 'Elenita Garro', phone: '55 3030 4040' });
    await customers.run(MERGE, { survivorId: survivor.id, duplicateId: duplicate.id });
    const response = await customers.run<{ eraseCustomer: boolean }>(ERASE, { id: duplicate.id }, tokenFor('CUSTOMER', duplicate.id));
    expect(response.data?.eraseCustomer).toBe(true);
    const documents = await customers.subgraph.store.collection<{ _id: string }>('customers').find({ _id: { $in: [survivor.id, duplicate.id] } }).toArray();
    for (const secret of ['Elena', 'Elenita', 'Garro', 'elena@example.mx', '5530304040']) expect(JSON.stringify(documents)).not.toContain(secret);
    expect(await claimsOf(survivor.id)).toEqual([]);
    const byDuplicate = await customers.run<{ customer: CustomerView }>(CUSTOMER, { id: duplicate.id }, admin);
    expect(byDuplicate.data?.customer).toMatchObject({ id: survivor.id, displayName: '(erased)', identities: [] });
  });
});
