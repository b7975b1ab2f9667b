/**
 * Identities: normalisation (the table every channel's typing habits must pass), registration with
 * its uniqueness guarantee (CONFLICT names the kind, never the owner; nothing half-written), linking
 * and profile updates — against the real database through real HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { normaliseEmail, normaliseIdentity, normalisePhone } from '../../subgraphs/customers/src/domain/identityNormalisation';
import { errorCodes, tokenFor } from '../support/testkit';
import { CUSTOMER_FIELDS, startCustomers, type CustomerView, type CustomersUnderTest } from './customersTestkit';

const FIND = /* GraphQL */ `
  query Find($kind: IdentityKind!, $value: String!) { findCustomer(identity: { kind: $kind, value: $value }) { id } }
`;
const LINK = /* GraphQL */ `
  mutation Link($id: ID!, $kind: IdentityKind!, $value: String!, $channel: Channel) {
    linkIdentity(customerId: $id, identity: { kind: $kind, value: $value }, channel: $channel) { ${CUSTOMER_FIELDS} }
  }
`;
const UPDATE = /* GraphQL */ `
  mutation Update($id: ID!, $input: UpdateCustomerInput!) { updateCustomer(id: $id, input: $input) { ${CUSTOMER_FIELDS} } }
`;

/** Every common way of typing +52 55 1234 5678. */
const PHONE_FORMS = [
  '55 1234 5678',
  '5512345678',
  '+52 1 55 1234 5678',
  '+521 5512345678',
  '(55) 1234-5678',
  '52 55 1234 5678',
  '044 55 1234 5678',
  '045 55 1234 5678',
  '01 55 1234 5678',
  '+52 55 1234 5678',
  '+525512345678',
  '521 55 1234 5678',
  '0052 55 1234 5678',
  '55.1234.5678',
  '  55-1234-5678  ',
];

describe('normalisation table', () => {
  it.each(PHONE_FORMS)('phone %j → +525512345678', (typed) => {
    expect(normalisePhone(typed)).toBe('+525512345678');
  });

  it('normalises area codes of three digits and foreign E.164 numbers', () => {
    expect(normalisePhone('951 123 4567')).toBe('+529511234567');
    expect(normalisePhone('+52 1 951 123 4567')).toBe('+529511234567');
    expect(normalisePhone('+1 (415) 555-0100')).toBe('+14155550100');
  });

  it.each(['1234', '55 1234 567', '55 1234 56789', 'cincuenta y cinco', '05 1234 5678', '+52 05 1234 5678', '', '55 1234 5678 ext 2', '5512345678+'])(
    'rejects phone %j with BAD_USER_INPUT naming the field',
    (typed) => {
      expect(() => normalisePhone(typed, 'input.phone')).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'input.phone' }) }));
    },
  );

  it.each([
    ['  Maria.Lopez@Example.MX ', 'maria.lopez@example.mx'],
    ['MARIA@CORREO.COM', 'maria@correo.com'],
    ['jose+tienda@gmail.com', 'jose+tienda@gmail.com'],
  ])('e-mail %j → %j', (typed, expected) => {
    expect(normaliseEmail(typed)).toBe(expected);
  });

  it.each([
    ['maria@', 'maria@'],
    ['sin-arroba.com', 'sin-arroba.com'],
    ['a b@c.mx', 'a b@c.mx'],
    ['@correo.mx', '@correo.mx'],
    ['a 255-character address', `${'x'.repeat(250)}@c.mx`],
  ])('rejects e-mail %s', (_label, typed) => {
    expect(() => normaliseEmail(typed)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }));
  });

  it('normalises WhatsApp like a phone, loyalty cards and external ids their own way', () => {
    expect(normaliseIdentity('WHATSAPP', '+521 55 1234 5678')).toEqual({ kind: 'WHATSAPP', value: '+525512345678' });
    expect(normaliseIdentity('LOYALTY_CARD', 'zc 0000-700123')).toEqual({ kind: 'LOYALTY_CARD', value: 'ZC0000700123' });
    expect(normaliseIdentity('EXTERNAL', ' MercadoLibre:AbC123 ')).toEqual({ kind: 'EXTERNAL', value: 'mercadolibre:AbC123' });
    expect(() => normaliseIdentity('EXTERNAL', 'no-system')).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }));
    expect(() => normaliseIdentity('LOYALTY_CARD', '¿?')).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }));
  });
});

describe('identities against the database', () => {
  let customers: CustomersUnderTest;
  let maria: CustomerView;

  beforeAll(async () => {
    customers = await startCustomers('customers_identities_test');
    maria = await customers.register({ displayName: '  María   López ', email: ' Maria.Lopez@Example.MX', phone: '55 1234 5678', channel: 'STORE' });
  });

  afterAll(async () => {
    await customers?.stop();
  });

  it('registers with normalised identities and records the channel', () => {
    expect(maria.id).toMatch(/^cus_[0-9a-f]{32}$/);
    expect(maria).toMatchObject({ displayName: 'María López', email: 'maria.lopez@example.mx', phone: '+525512345678', createdVia: 'STORE', erasedAt: null, addresses: [], wishlist: [] });
    expect(maria.identities).toEqual([
      { kind: 'EMAIL', value: 'maria.lopez@example.mx', linkedVia: 'STORE', linkedAt: maria.createdAt },
      { kind: 'PHONE', value: '+525512345678', linkedVia: 'STORE', linkedAt: maria.createdAt },
    ]);
  });

  it('finds the customer from every form of the phone and any case of the e-mail', async () => {
    for (const typed of PHONE_FORMS) {
      const response = await customers.run<{ findCustomer: { id: string } | null }>(FIND, { kind: 'PHONE', value: typed });
      expect({ typed, id: response.data?.findCustomer?.id }).toEqual({ typed, id: maria.id });
    }
    const byEmail = await customers.run<{ findCustomer: { id: string } | null }>(FIND, { kind: 'EMAIL', value: 'MARIA.LOPEZ@example.mx ' });
    expect(byEmail.data?.findCustomer?.id).toBe(maria.id);
    const nobody = await customers.run<{ findCustomer: { id: string } | null }>(FIND, { kind: 'PHONE', value: '33 9999 0000' });
    expect(nobody.errors).toBeUndefined();
    expect(nobody.data?.findCustomer).toBeNull();
  });

  it('refuses an identity that belongs to someone else with CONFLICT naming the kind, not the owner', async () => {
    const response = await customers.run(
      /* GraphQL */ `mutation { registerCustomer(input: { displayName: "Otra Persona", email: "otra@example.mx", phone: "+52 1 55 1234 5678", channel: WEB }) { id } }`,
      {},
      null,
    );
    expect(errorCodes(response)).toEqual(['CONFLICT']);
    expect(response.errors?.[0]?.extensions).toMatchObject({ kind: 'PHONE', field: 'input.phone' });
    expect(JSON.stringify(response)).not.toContain(maria.id);
    expect(JSON.stringify(response)).not.toContain('María');

    const byEmail = await customers.run(/* GraphQL */ `mutation { registerCustomer(input: { displayName: "X", email: "MARIA.LOPEZ@example.mx", channel: APP }) { id } }`);
    expect(errorCodes(byEmail)).toEqual(['CONFLICT']);
    expect(byEmail.errors?.[0]?.extensions).toMatchObject({ kind: 'EMAIL' });
  });

  it('leaves nothing half-written when the second identity conflicts', async () => {
    const identities = customers.subgraph.store.collection<{ _id: string; customerId: string }>('identities');
    const customersCollection = customers.subgraph.store.collection<{ _id: string }>('customers');
    const before = await customersCollection.countDocuments();
    // The e-mail is claimed first, then the phone conflicts: the e-mail claim must be released.
    const failed = await customers.run(/* GraphQL */ `mutation { registerCustomer(input: { displayName: "Lupita", email: "lupita@example.mx", phone: "5512345678", channel: WEB }) { id } }`);
    expect(errorCodes(failed)).toEqual(['CONFLICT']);
    expect(await identities.findOne({ _id: 'EMAIL:lupita@example.mx' })).toBeNull();
    expect(await customersCollection.countDocuments()).toBe(before);
    // Every claim belongs to a customer that exists.
    const owners = await identities.distinct('customerId');
    expect(await customersCollection.countDocuments({ _id: { $in: owners } })).toBe(owners.length);

    const lupita = await customers.register({ displayName: 'Lupita', email: 'lupita@example.mx', phone: '33 1111 2222' });
    expect(lupita.email).toBe('lupita@example.mx');
  });

  it('lets exactly one of many concurrent registrations have a phone', async () => {
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        customers.run<{ registerCustomer: { id: string } }>(
          'mutation ($input: RegisterCustomerInput!) { registerCustomer(input: $input) { id } }',
          { input: { displayName: `Concurrente ${i}`, email: `concurrente${i}@example.mx`, phone: '+52 1 33 5000 1000', channel: 'APP' } },
          null,
        ),
      ),
    );
    expect(responses.filter((response) => response.data?.registerCustomer).length).toBe(1);
    expect(responses.flatMap(errorCodes).sort()).toEqual(Array.from({ length: 9 }, () => 'CONFLICT'));
    const store = customers.subgraph.store;
    expect(await store.collection('customers').countDocuments({ phone: '+523350001000' })).toBe(1);
    // The losers' e-mail claims were released: only the winner's remains.
    expect(await store.collection<{ _id: string }>('identities').countDocuments({ _id: { $regex: '^EMAIL:concurrente' } })).toBe(1);
  });

  it('reclaims an identity left behind by a registration that died before writing its customer', async () => {
    const identities = customers.subgraph.store.collection<{ _id: string; kind: string; customerId: string; claimedAt: Date }>('identities');
    await identities.insertOne({ _id: 'PHONE:+523377001100', kind: 'PHONE', customerId: 'cus_crashedmidway', claimedAt: new Date(Date.now() - 5 * 60_000) });
    await identities.insertOne({ _id: 'PHONE:+523377001200', kind: 'PHONE', customerId: 'cus_stillregistering', claimedAt: new Date() });
    const reclaimed = await customers.register({ displayName: 'Heredera', phone: '33 7700 1100' });
    expect((await identities.findOne({ _id: 'PHONE:+523377001100' }))?.customerId).toBe(reclaimed.id);
    // A fresh claim may belong to a registration still in flight: it is not taken away.
    const inFlight = await customers.run('mutation { registerCustomer(input: { displayName: "Impaciente", phone: "33 7700 1200", channel: WEB }) { id } }');
    expect(errorCodes(inFlight)).toEqual(['CONFLICT']);
  });

  it('validates registration input', async () => {
    const noContact = await customers.run(/* GraphQL */ `mutation { registerCustomer(input: { displayName: "Nadie", channel: WEB }) { id } }`);
    expect(errorCodes(noContact)).toEqual(['BAD_USER_INPUT']);
    const badPhone = await customers.run(/* GraphQL */ `mutation { registerCustomer(input: { displayName: "Nadie", phone: "12", channel: WEB }) { id } }`);
    expect(badPhone.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.phone' });
    const longName = await customers.run(`mutation { registerCustomer(input: { displayName: "${'a'.repeat(121)}", phone: "33 1111 9999", channel: WEB }) { id } }`);
    expect(longName.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.displayName' });
  });

  it('links the WhatsApp identity when registering through WhatsApp', async () => {
    const bot = await customers.register({ displayName: 'Chuy', phone: '+521 81 5555 0001', channel: 'WHATSAPP' });
    expect(bot.identities.map((identity) => `${identity.kind}:${identity.value}`)).toEqual(['PHONE:+528155550001', 'WHATSAPP:+528155550001']);
    const found = await customers.run<{ findCustomer: { id: string } }>(FIND, { kind: 'WHATSAPP', value: '81 5555 0001' });
    expect(found.data?.findCustomer.id).toBe(bot.id);
  });

  it('links an identity to one of two customers racing for it', async () => {
    const [first, second] = [await customers.register({ displayName: 'Uno', phone: '33 6000 0001' }), await customers.register({ displayName: 'Dos', phone: '33 6000 0002' })];
    const responses = await Promise.all([first, second, first, second].map((customer) => customers.run(LINK, { id: customer?.id, kind: 'LOYALTY_CARD', value: 'ZC0000424242' })));
    const owner = (await customers.subgraph.store.collection<{ _id: string; customerId: string }>('identities').findOne({ _id: 'LOYALTY_CARD:ZC0000424242' }))?.customerId;
    const holders = await customers.subgraph.store.collection('customers').countDocuments({ 'identities.value': 'ZC0000424242' });
    expect(holders).toBe(1);
    expect([first?.id, second?.id]).toContain(owner);
    expect(responses.flatMap(errorCodes).filter((code) => code !== 'CONFLICT')).toEqual([]);
  });

  it('links identities, idempotently, and refuses someone else’s', async () => {
    const linked = await customers.run<{ linkIdentity: CustomerView }>(LINK, { id: maria.id, kind: 'WHATSAPP', value: '+521 55 1234 5678', channel: 'WHATSAPP' });
    expect(linked.errors).toBeUndefined();
    expect(linked.data?.linkIdentity.identities).toContainEqual(expect.objectContaining({ kind: 'WHATSAPP', value: '+525512345678', linkedVia: 'WHATSAPP' }));

    const card = await customers.run<{ linkIdentity: CustomerView }>(LINK, { id: maria.id, kind: 'LOYALTY_CARD', value: 'zc-0000-123456', channel: 'STORE' });
    expect(card.data?.linkIdentity.identities.map((identity) => identity.kind)).toEqual(['EMAIL', 'PHONE', 'WHATSAPP', 'LOYALTY_CARD']);
    const byCard = await customers.run<{ findCustomer: { id: string } }>(FIND, { kind: 'LOYALTY_CARD', value: 'ZC0000123456' });
    expect(byCard.data?.findCustomer.id).toBe(maria.id);

    const again = await customers.run<{ linkIdentity: CustomerView }>(LINK, { id: maria.id, kind: 'LOYALTY_CARD', value: 'ZC0000123456' });
    expect(again.data?.linkIdentity.identities).toHaveLength(4);

    const other = await customers.register({ displayName: 'Pedro Páramo', phone: '33 4444 5555' });
    const stolen = await customers.run(LINK, { id: other.id, kind: 'LOYALTY_CARD', value: 'ZC0000123456' });
    expect(errorCodes(stolen)).toEqual(['CONFLICT']);
    expect(stolen.errors?.[0]?.extensions).toMatchObject({ kind: 'LOYALTY_CARD' });
    expect(JSON.stringify(stolen)).not.toContain(maria.id);

    expect(errorCodes(await customers.run(LINK, { id: 'cus_doesnotexist', kind: 'EMAIL', value: 'x@example.mx' }))).toEqual(['NOT_FOUND']);
    expect(await customers.subgraph.store.collection<{ _id: string }>('identities').findOne({ _id: 'EMAIL:x@example.mx' })).toBeNull();
    const bad = await customers.run(LINK, { id: maria.id, kind: 'PHONE', value: 'no es un teléfono' });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'identity.value' });
  });

  it('updates the profile: a new primary e-mail is linked and the old one still finds the customer', async () => {
    const other = await customers.register({ displayName: 'Ramón Valdés', email: 'ramon@example.mx' });
    const updated = await customers.run<{ updateCustomer: CustomerView }>(UPDATE, { id: other.id, input: { displayName: 'Don Ramón', email: 'DON.RAMON@example.mx', phone: '(33) 2222-3333', channel: 'CALL_CENTER' } });
    expect(updated.errors).toBeUndefined();
    expect(updated.data?.updateCustomer).toMatchObject({ displayName: 'Don Ramón', email: 'don.ramon@example.mx', phone: '+523322223333' });
    expect(updated.data?.updateCustomer.identities).toContainEqual(expect.objectContaining({ kind: 'EMAIL', value: 'don.ramon@example.mx', linkedVia: 'CALL_CENTER' }));
    for (const value of ['ramon@example.mx', 'don.ramon@example.mx']) {
      const found = await customers.run<{ findCustomer: { id: string } }>(FIND, { kind: 'EMAIL', value });
      expect(found.data?.findCustomer.id).toBe(other.id);
    }
    const taken = await customers.run(UPDATE, { id: other.id, input: { email: 'maria.lopez@example.mx' } });
    expect(errorCodes(taken)).toEqual(['CONFLICT']);
    const blank = await customers.run(UPDATE, { id: other.id, input: { displayName: '   ' } });
    expect(blank.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.displayName' });
  });

  it('lets the customer update themself but not someone else', async () => {
    const own = await customers.run<{ updateCustomer: CustomerView }>(UPDATE, { id: maria.id, input: { displayName: 'María Guadalupe López' } }, tokenFor('CUSTOMER', maria.id));
    expect(own.data?.updateCustomer.displayName).toBe('María Guadalupe López');
    const other = await customers.register({ displayName: 'Chabelo', phone: '55 7777 8888' });
    const forbidden = await customers.run(UPDATE, { id: other.id, input: { displayName: 'Hackeado' } }, tokenFor('CUSTOMER', maria.id));
    expect(errorCodes(forbidden)).toEqual(['FORBIDDEN']);
  });
});
